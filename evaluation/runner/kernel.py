"""The Jupyter kernel the runner starts: always the interpreter running the runner.

Papermill looks kernels up by name, and a user-wide ``python3`` kernelspec may point
at another Python without this package. The kernel manager below ignores the lookup
and starts ``sys.executable -m ipykernel_launcher``, so runs inside ``.venv`` work
without installing a kernel. Kernel traffic is encrypted (CurveZMQ) when pyzmq
supports it, because outputs of the notebooks are sensitive until disclosure control.

Example
-------
>>> spec = CurrentInterpreterKernelManager().kernel_spec
>>> spec.argv[1:3]
['-m', 'ipykernel_launcher']
"""

from __future__ import annotations

import sys
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import KernelManager

#: Several kernels run side by side, one per core: numerical libraries must not each start
#: a thread per core as well, or they fight over the same cores.
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

#: Name written into executed notebooks' metadata; any name works because the spec is not looked up.
KERNEL_NAME = "python3"


def _curve_available() -> bool:
    try:
        import zmq
    except ImportError:  # pragma: no cover - pyzmq comes with jupyter_client
        return False
    return bool(zmq.has("curve"))


class CurrentInterpreterKernelManager(KernelManager):
    """Start kernels with ``sys.executable``, whatever kernelspecs are installed."""

    def __init__(self, **kwargs: Any) -> None:
        if _curve_available():
            kwargs.setdefault("transport_encryption", "auto")
        super().__init__(**kwargs)

    @property
    def kernel_spec(self) -> KernelSpec:
        metadata = {"supported_encryption": ["curve"]} if _curve_available() else {}
        return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                          display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (evaluation)",
                          language="python", metadata=metadata, env=dict(SINGLE_THREAD_ENV))
