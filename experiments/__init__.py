"""Experiment runners: single runs, comparisons, sweeps, sensitivity, reports.

Everything that writes files or draws figures lives here, never in `sim`.
"""
