"""The training configuration: config.toml beside this file, read with overrides. Its own module, so that the
data tools and the trainer both use it without importing each other."""

import tomllib
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).resolve().with_name("config.toml")


def load_config(path, overrides=()):
    """Read the TOML config; overrides are 'section.key=value' with value in TOML syntax (bare words = strings)."""
    with open(path, "rb") as fh:
        cfg = tomllib.load(fh)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"override {item!r} is not key=value")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        *parents, leaf = key.strip().split(".")
        node = cfg
        for part in parents:
            node = node.setdefault(part, {})
        if leaf not in node:
            raise KeyError(f"unknown config key {key!r}")
        node[leaf] = value
    return cfg
