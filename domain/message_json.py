"""A `Message` as strict JSON and back, for a message stored now and worded later (a submission's
flags are kept with it and rendered in whichever language the reviewer reads).

Plain JSON would lose what a message's parameters are: a `Period` is a tuple (JSON makes it a
list), a date is no JSON type, a nested `Message` is an object, and NaN or infinity is no strict
JSON at all. Each of those is written as a one-key object naming its type (`{"$period": "2016Q3"}`),
so `loads(dumps(m)) == m` for every parameter a message may carry; a parameter of any other type
is refused when written (TypeError), never stored as something that renders differently later.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from enum import Enum
from typing import Any

from domain.messages import Message
from domain.periods import Period, parse_period


def _encode(value: Any) -> Any:
    # Order matters: bool is an int, Period is a tuple, datetime is a date, a StrEnum is a str.
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Message):
        return {"$message": value.code, "params": {k: _encode(v) for k, v in value.params}}
    if isinstance(value, Period):
        return {"$period": str(value)}
    if isinstance(value, Enum):
        return _encode(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        x = float(value)
        return x if math.isfinite(x) else {"$float": repr(x)}  # 'nan', 'inf', '-inf'
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    raise TypeError(f"a message parameter of type {type(value).__name__} cannot be stored: {value!r}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):  # never written by _encode; read as a tuple, as parameters are hashable
        return tuple(_decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "$message" in value:
        return Message.of(value["$message"], **{k: _decode(v) for k, v in value["params"].items()})
    (tag, inner), = value.items()
    match tag:
        case "$period":
            return parse_period(inner)
        case "$float":
            return float(inner)
        case "$datetime":
            return dt.datetime.fromisoformat(inner)
        case "$date":
            return dt.date.fromisoformat(inner)
        case "$tuple":
            return tuple(_decode(v) for v in inner)
    raise ValueError(f"not a stored message parameter: {value!r}")


def dumps_params(message: Message) -> str:
    """The parameters of `message` as strict JSON (an object, one key per parameter)."""
    return json.dumps({k: _encode(v) for k, v in message.params}, ensure_ascii=False, allow_nan=False,
                      sort_keys=True)


def loads_message(code: str, params: str | dict) -> Message:
    """The message `code` with the parameters `dumps_params` wrote (as text, or already parsed)."""
    data = json.loads(params) if isinstance(params, str) else params
    return Message.of(code, **{k: _decode(v) for k, v in data.items()})


def dumps(message: Message) -> str:
    """The whole message (code and parameters) as strict JSON."""
    return json.dumps(_encode(message), ensure_ascii=False, allow_nan=False, sort_keys=True)


def loads(text: str) -> Message:
    return _decode(json.loads(text))
