"""Pydantic's ValidationError as one line: the key path (or CSV line), the bad value, what is allowed."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from stocksuite.config.errors import StockSuiteError

MAX_VALUE_CHARS = 60


class ConfigError(StockSuiteError):
    """The deploy YAML (or another file the user writes) is missing a key or has a bad value."""


def key_path(loc: tuple[int | str, ...]) -> str:
    """``('tickers', 0, 'policy', 'holding_cap')`` -> ``tickers[0].policy.holding_cap``."""
    text = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for a mapping's key (the part before it)
            continue
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else type(value).__name__


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field's annotation holds (through Optional, list, dict, Annotated), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        for arg in typing.get_args(annotation):
            if (found := _model_in(arg)) is not None:
                return found
    return None


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, str):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = _model_in(field.annotation)
    return current


def _allowed(model: type[BaseModel] | None) -> str:
    if model is None:
        return ""
    return "; allowed: " + ", ".join(model.model_fields)


def describe(error: dict[str, Any], model: type[BaseModel], name_value_errors: bool = True) -> str:
    """One pydantic error as ``key.path: what is wrong, got <value>; allowed: ...``. A CSV row's
    validators name their column themselves (``name_value_errors=False``)."""
    loc = tuple(error["loc"])
    kind, value, path = error["type"], error.get("input"), key_path(loc)
    if kind == "missing":
        parent = key_path(loc[:-1])
        return f"{parent + ': ' if parent else ''}missing key '{loc[-1]}'"
    if kind == "extra_forbidden":
        return f"{path}: unknown key{_allowed(_model_at(model, loc[:-1]))}"
    if kind in ("value_error", "assertion_error"):
        message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
        if not name_value_errors:
            return message
    elif kind == "bool_type":
        message = f"expected true/false, got {_shown(value)} ({_kind(value)})"
    elif kind in ("int_type", "int_from_float", "int_parsing"):
        message = f"expected a whole number, got {_shown(value)} ({_kind(value)})"
    elif kind == "string_type":
        number = isinstance(value, int) and not isinstance(value, bool)
        hint = "; quote it (YAML reads an unquoted 0x... address or digits as a number)" if number else ""
        message = f"expected a string, got {_shown(value)} ({_kind(value)}){hint}"
    elif kind in ("list_type", "tuple_type"):
        message = f"expected a list, got {_shown(value)} ({_kind(value)})"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        keys = _model_at(model, loc)
        listed = f" of {', '.join(keys.model_fields)}" if keys is not None else ""
        message = f"expected a mapping{listed}, got {_shown(value)} ({_kind(value)})"
    elif kind == "string_too_short":
        message = "must not be empty"
    else:
        text = error["msg"]
        message = f"{text[:1].lower()}{text[1:]}, got {_shown(value)}"
    return f"{path}: {message}" if path else message


def one_line(err: ValidationError, model: type[BaseModel], where: str | Path) -> str:
    """``where: <first error>`` plus ``(and N more)``."""
    # an unknown key first: a misspelled key also makes the key it meant missing
    errors = sorted(err.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {describe(errors[0], model)}{more}"


M = typing.TypeVar("M", bound=BaseModel)


class _DuplicateKey(yaml.YAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (it keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            line = key_node.start_mark.line + 1
            if isinstance(key, typing.Hashable) and key in first:
                raise _DuplicateKey(f"{line}: key {key!r} is given twice (first on line {first[key]})")
            first[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: Path, model: type[M], error: type[StockSuiteError] = ConfigError) -> M:
    """Read ``path`` as YAML and validate it as ``model``; any problem is one ``error`` line."""
    try:
        data = yaml.load(path.read_text(), Loader=_StrictLoader)  # noqa: S506 - a SafeLoader
    except OSError as err:
        raise error(f"{path}: cannot read ({err.strerror})") from err
    except _DuplicateKey as err:
        raise error(f"{path}:{err}") from None
    except yaml.YAMLError as err:
        raise error(f"{path}: not valid YAML ({' '.join(str(err).split())})") from err
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping with the keys {', '.join(model.model_fields)}, got {_kind(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise error(one_line(err, model, path)) from None
