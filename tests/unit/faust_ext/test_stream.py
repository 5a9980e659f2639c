"""streams.faust_ext.stream: a stream whose iterator acks nothing, its events acked by hand
(streams.pipeline.batching; tests/unit/pipeline/test_batching.py drives the batches)."""
from __future__ import annotations

import inspect

import pytest

from streams.app import create_app
from streams.faust_ext.stream import manual_acks
from streams.settings import Settings

from .pins import file_sha, source_sha


@pytest.mark.asyncio
async def test_manual_acks_turns_the_iterators_acks_off(tmp_path):
    p = create_app(Settings.from_env({}, data_dir=str(tmp_path), web_enabled=False))
    stream = p.app.stream(p.topics["dedupe"])
    assert stream.enable_acks is True
    manual_acks(stream)
    assert stream.enable_acks is False


# --- contracts ---------------------------------------------------------------------------------------

def test_contract_faust_stream_iterators_read_enable_acks_per_event():
    # both iterators (Python, and Cython when compiled) decide per event whether to ack it
    from faust.streams import Stream
    assert "do_ack = self.enable_acks" in inspect.getsource(Stream._py_aiter)
    assert source_sha(Stream._py_aiter) == (
        "3a48ee257a65435b482d51edb74f2993a67867949b1ef89b49fea893769e0614")
    assert source_sha(Stream._c_aiter) == (
        "fa44582a5882e9df5240199eabc475668bcd3c13b1816c45805dc746145b80bf")
    assert file_sha("faust._cython", "streams.pyx") == (
        "0041622f4a251188f53d73e6d51d18d16f0f427512df1e96c043cfdeea4c3250")
