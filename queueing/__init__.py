"""Serve the mypyc-compiled twin modules when a fresh build exists (see ``hall.compiled``); pure Python otherwise."""

from hall.compiled import install as _install_compiled

_install_compiled()
