"""Linli 邻里: the `linli` command line and what the packages share (data paths)."""

__version__ = "0.1.0"
