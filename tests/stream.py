"""A Streamlit session driven over its websocket (/_stcore/stream), as any client may, browser or not.

`Stream` connects to a real server (tests/browser.py streamlit_server) with whatever Cookie header a
test chooses — bytes a browser would never send included — sends BackMsg protobufs (a script run,
`clear_cache`) and reads the ForwardMsgs back into the few things tests look at: the labels of text
inputs, markdown and alert bodies, and exceptions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect


@dataclass
class Run:
    """What one script run showed."""

    inputs: list[str] = field(default_factory=list)  # text input labels
    markdown: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # st.info / warning / error bodies
    exceptions: list[str] = field(default_factory=list)  # type and message of each exception element

    @property
    def sign_in_form(self) -> bool:
        return {"用户名", "密码"} <= set(self.inputs) or {"Username", "Password"} <= set(self.inputs)


class Stream:
    def __init__(self, base: str, cookie: bytes | str | None = None, headers: dict[str, str] | None = None,
                 open_timeout: float = 30):
        url = base.replace("http://", "ws://") + "/_stcore/stream"
        extra: dict[str, str] = dict(headers or {})
        if cookie is not None:
            # Header values go out as latin-1, so the UTF-8 bytes of any text arrive byte for byte,
            # as a hostile client would send them (a browser would refuse to).
            raw = cookie if isinstance(cookie, bytes) else cookie.encode("utf-8")
            extra["Cookie"] = raw.decode("latin-1")
        self.ws: ClientConnection = connect(url, subprotocols=["streamlit"], additional_headers=extra,
                                            max_size=None, open_timeout=open_timeout).__enter__()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.ws.close()

    def send(self, msg: BackMsg) -> None:
        self.ws.send(msg.SerializeToString())

    def clear_cache(self) -> None:
        msg = BackMsg()
        msg.clear_cache = True
        self.send(msg)

    def run(self, page: str = "", timeout_s: float = 90) -> Run:
        """Run the script (as a browser does on load) and collect what it showed until it finished."""
        msg = BackMsg()
        msg.rerun_script.CopyFrom(ClientState(query_string="", page_name=page))
        self.send(msg)
        run = Run()
        deadline = time.monotonic() + timeout_s
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = fwd.WhichOneof("type")
            if kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # a run the script restarted (st.rerun): what counts is the one after it
                return run
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                match element.WhichOneof("type"):
                    case "text_input":
                        run.inputs.append(element.text_input.label)
                    case "markdown":
                        run.markdown.append(element.markdown.body)
                    case "alert":
                        run.alerts.append(element.alert.body)
                    case "exception":
                        run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
