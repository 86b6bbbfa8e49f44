"""A bounds check of a TFLite flatbuffer, in pure Python, before any interpreter opens it.

tflite_runtime 2.14 segfaults (instead of raising) on a truncated model file, so a file
whose weights run past its end must be caught here. Only what is needed is walked: the root
Model table, its `buffers` vector and each Buffer's `data` vector (or, for models over 2 GB,
its `offset` and `size`), following the TFLite schema's field order.
"""

from __future__ import annotations

import struct


class OutOfBounds(Exception):
    """A read outside the file: it is truncated or not a flatbuffer."""


def weights_extent(data: bytes) -> int:
    """How far into the file the model's weight buffers reach, found by walking the
    flatbuffer (Model.buffers[i].data, or offset + size for large models). A truncated file
    reaches past its end. Some runtimes crash outright on such a file, so it is checked
    here, in Python, before any interpreter sees it."""
    n = len(data)

    def u32(at):
        if at < 0 or at + 4 > n:
            raise OutOfBounds(at)
        return struct.unpack_from("<I", data, at)[0]

    def field(table, index):
        """File position of a table's field, or None if absent."""
        vtable = table - struct.unpack_from("<i", data, table)[0] if table + 4 <= n else -1
        if vtable < 0 or vtable + 4 > n:
            raise OutOfBounds(vtable)
        vt_size = struct.unpack_from("<H", data, vtable)[0]
        slot = 4 + 2 * index
        if slot + 2 > vt_size or vtable + slot + 2 > n:
            return None
        rel = struct.unpack_from("<H", data, vtable + slot)[0]
        return table + rel if rel else None

    def deref(at):
        return at + u32(at)

    model = u32(0)
    buffers_at = field(model, 4)  # Model.buffers
    if buffers_at is None:
        return 8
    vec = deref(buffers_at)
    reach = vec + 4
    for i in range(u32(vec)):
        elem = vec + 4 + 4 * i
        buf = deref(elem)
        data_at = field(buf, 0)  # Buffer.data: [ubyte]
        if data_at is not None:
            v = deref(data_at)
            reach = max(reach, v + 4 + u32(v))
        off_at, size_at = field(buf, 1), field(buf, 2)  # Buffer.offset/size (uint64)
        if off_at is not None and size_at is not None and off_at + 8 <= n and size_at + 8 <= n:
            off, size = struct.unpack_from("<QQ", data, off_at)[0], \
                struct.unpack_from("<Q", data, size_at)[0]
            if off > 1:
                reach = max(reach, off + size)
    return reach
