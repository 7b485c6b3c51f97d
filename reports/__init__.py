# SPDX-License-Identifier: MIT
"""Data behind the report notebooks: reads the JSON that the export and the RTL runs wrote."""
