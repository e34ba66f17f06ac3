"""The numba kernels behind :class:`~curation.dedup.shingle.Shingler` and MinHash signatures.

One document at a time, each in a few straight passes over a scratch buffer (the rules are
in :mod:`curation.dedup.shingle`; this module only makes them fast):

1. ``_normalise_doc``: the document's UTF-8 bytes -> ``buf``: word characters lowercased
   (ASCII by a 256-byte table, other code points by a code point table equal to Arrow's
   ``utf8_lower``), every separator code point a single ``0`` byte, each *solo* character
   (Han, kana, Thai...) wrapped in ``0`` bytes, so tokens are the runs of non-zero bytes.
   The same loop records each token's start and end, branch-free on ASCII (a mispredicted
   branch per word boundary cost more than the rest of the scan). With ``check`` set, a
   code point whose NFKC could change the tokens stops the pass and the document is
   reported, so that the caller normalises it with polars and runs it again (most web
   text never needs that).
2. token hashes: :func:`curation.dedup.shingle.token_hash32` of every token, 8 bytes
   per load from a ``uint64`` view of ``buf``.
3. word shingles: the fold of n consecutive token hashes, computed column by column so
   the loop over shingles vectorises; then the MurmurHash3 finaliser.
4. ``batch_signatures`` goes on to the MinHash minima of the document's shingle hashes
   (datasketch's affine32: fmix32 pre-mix, ``a_k * h + b_k mod 2**32``) without ever
   materialising the batch's shingle hashes; ``batch_hashes`` returns them instead.

Measured on 100k web documents of ~300 words (benchmarks/results/dedup.md), one core: the
earlier byte-at-a-time tokeniser with MurmurHash3 per token, Arrow lowercasing and a
separate NFKC scan ran ~75 MB/s; this one ~3x that.
"""

from __future__ import annotations

import numba
import numpy as np

SEPARATOR_CLASS = 1
SOLO_CLASS = 2
PAD = 16  # zero bytes kept after a document in `buf`: the 8-byte loads may read past a token


# --------------------------------------------------------------------------- scalar pieces


@numba.njit(cache=True, inline="always")
def _fmix32(h):
    h ^= h >> np.uint32(16)
    h = np.uint32(h * np.uint32(0x85EBCA6B))
    h ^= h >> np.uint32(13)
    h = np.uint32(h * np.uint32(0xC2B2AE35))
    return h ^ (h >> np.uint32(16))


@numba.njit(cache=True, inline="always")
def _fmix64(h):
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


@numba.njit(cache=True, inline="always")
def _load8(buf64, p):
    # 8 bytes of buf from byte offset p (little-endian), from two aligned words; the
    # (x << 1) << (63 - off) form avoids a shift by 64 when p is aligned.
    off = np.uint64((p & 7) * 8)
    wi = p >> 3
    return (buf64[wi] >> off) | ((buf64[wi + 1] << np.uint64(1)) << (np.uint64(63) - off))


@numba.njit(cache=True, inline="always")
def _token_hash(buf64, s, e):
    # token_hash32 of buf[s:e] (see shingle.token_hash32).
    n = e - s
    h = np.uint64(n) * np.uint64(0x9E3779B97F4A7C15)
    for j in range(0, n, 8):
        w = _load8(buf64, s + j)
        rem = n - j
        if rem < 8:
            w &= (np.uint64(1) << np.uint64(8 * rem)) - np.uint64(1)
        h = (h ^ w) * np.uint64(0xFF51AFD7ED558CCD)
    return np.uint32(_fmix64(h) >> np.uint64(32))


@numba.njit(cache=True, inline="always")
def _code_point(data, pos, end):
    b0 = np.int64(data[pos])
    if b0 >= 0xF0 and pos + 3 < end:
        return ((b0 & 0x07) << 18) | ((np.int64(data[pos + 1]) & 0x3F) << 12) | (
            (np.int64(data[pos + 2]) & 0x3F) << 6
        ) | (np.int64(data[pos + 3]) & 0x3F), 4
    if b0 >= 0xE0 and pos + 2 < end:
        return ((b0 & 0x0F) << 12) | ((np.int64(data[pos + 1]) & 0x3F) << 6) | (
            np.int64(data[pos + 2]) & 0x3F
        ), 3
    if b0 >= 0xC0 and pos + 1 < end:
        return ((b0 & 0x1F) << 6) | (np.int64(data[pos + 1]) & 0x3F), 2
    return np.int64(0xFFFD), 1  # stray byte (cannot happen in valid UTF-8)


@numba.njit(cache=True, inline="always")
def _put_utf8(buf, w, cp):
    if cp < 0x80:
        buf[w] = cp
        return w + 1
    if cp < 0x800:
        buf[w] = 0xC0 | (cp >> 6)
        buf[w + 1] = 0x80 | (cp & 0x3F)
        return w + 2
    if cp < 0x10000:
        buf[w] = 0xE0 | (cp >> 12)
        buf[w + 1] = 0x80 | ((cp >> 6) & 0x3F)
        buf[w + 2] = 0x80 | (cp & 0x3F)
        return w + 3
    buf[w] = 0xF0 | (cp >> 18)
    buf[w + 1] = 0x80 | ((cp >> 12) & 0x3F)
    buf[w + 2] = 0x80 | ((cp >> 6) & 0x3F)
    buf[w + 3] = 0x80 | (cp & 0x3F)
    return w + 4


@numba.njit(cache=True, inline="always")
def _class_of(cp, table):
    if cp < 0x10000:
        return table[cp]
    if 0x20000 <= cp <= 0x3FFFF:
        return SOLO_CLASS
    if (0x1F000 <= cp <= 0x1FBFF) or (0xE0000 <= cp <= 0xE007F):
        return SEPARATOR_CLASS
    return 0


# --------------------------------------------------------------------------- passes


@numba.njit(cache=True)
def _normalise_doc(data, pos, end, ascii_map, lower_cp, table, stable, check, solo_split, buf, starts, ends):
    """Passes 1 and 2: the normalised bytes into buf[1:w] (buf[0] = 0, buf[w:w + PAD] = 0)
    and the bounds [starts[t], ends[t]) of its tokens, the runs of non-zero bytes. Returns
    (w, token count), or (-1, 0) when `check` finds a code point that NFKC could change."""
    buf[0] = 0
    w = 1
    ns = 0
    ne = 0
    prev = False
    while pos < end:
        b = data[pos]
        if b < 0x80:
            # Branch-free token bounds: a mispredicted branch per word boundary cost more
            # than the rest of the scan.
            v = ascii_map[b]
            buf[w] = v
            cur = v != 0
            starts[ns] = w
            ns += cur & (not prev)
            ends[ne] = w
            ne += prev & (not cur)
            prev = cur
            w += 1
            pos += 1
            continue
        cp, step = _code_point(data, pos, end)
        pos += step
        if check and (cp >= 0x10000 or stable[cp] == 0):
            return -1, 0
        if cp < lower_cp.size:
            cp = np.int64(lower_cp[cp])
        c = _class_of(cp, table)
        if c == SEPARATOR_CLASS or (c == SOLO_CLASS and solo_split):
            buf[w] = 0
            if prev:
                ends[ne] = w
                ne += 1
            prev = False
            w += 1
            if c == SOLO_CLASS:  # a token of its own, between two separator bytes
                starts[ns] = w
                ns += 1
                w = _put_utf8(buf, w, cp)
                ends[ne] = w
                ne += 1
                buf[w] = 0
                w += 1
        else:
            if not prev:
                starts[ns] = w
                ns += 1
            prev = True
            w = _put_utf8(buf, w, cp)
    if prev:
        ends[ne] = w
        ne += 1
    for q in range(w, w + PAD):
        buf[q] = 0
    return w, ns


@numba.njit(cache=True)
def _word_shingle_hashes(th, ntok, n, out):
    """Pass 4: the shingle hashes of one document's token hashes into out; the count."""
    if ntok == 0:
        return 0
    if ntok < n:
        h = np.uint32(0x9E3779B9)
        for t in range(ntok):
            h = np.uint32(h * np.uint32(0x01000193) + th[t])
        out[0] = _fmix32(h)
        return 1
    count = ntok - n + 1
    for t in range(count):
        out[t] = np.uint32(0x9E3779B9)
    for j in range(n):  # column by column: the loop over t vectorises
        for t in range(count):
            out[t] = np.uint32(out[t] * np.uint32(0x01000193) + th[t + j])
    for t in range(count):
        out[t] = _fmix32(out[t])
    return count


@numba.njit(cache=True)
def _window_hash(cbuf64, cbuf, s, e):
    # shingle_hash32 of cbuf[s:e]: fold of the token hashes of its space-separated pieces.
    h = np.uint32(0x9E3779B9)
    p = s
    for q in range(s, e + 1):
        if q == e or cbuf[q] == 32:
            h = np.uint32(h * np.uint32(0x01000193) + _token_hash(cbuf64, p, q))
            p = q + 1
    return _fmix32(h)


@numba.njit(cache=True)
def _next_cp(buf, p, blen):
    p += 1
    while p < blen and (buf[p] & 0xC0) == 0x80:
        p += 1
    return p


@numba.njit(cache=True)
def _char_shingle_hashes(buf, w, n, cbuf, cbuf64, out):
    """Char mode: the normalised text (runs of buf joined by one space) into cbuf, then the
    hashes of its windows of n code points; the count."""
    blen = 0
    in_word = False
    for p in range(1, w):
        b = buf[p]
        if b == 0:
            in_word = False
            continue
        if not in_word and blen > 0:
            cbuf[blen] = 32
            blen += 1
        in_word = True
        cbuf[blen] = b
        blen += 1
    for q in range(blen, blen + PAD):
        cbuf[q] = 0
    ncp = 0
    for p in range(blen):
        if (cbuf[p] & 0xC0) != 0x80:
            ncp += 1
    if ncp == 0:
        return 0
    if ncp < n:
        out[0] = _window_hash(cbuf64, cbuf, 0, blen)
        return 1
    count = ncp - n + 1
    s = 0
    e = 0
    for _ in range(n):
        e = _next_cp(cbuf, e, blen)
    for t in range(count):
        out[t] = _window_hash(cbuf64, cbuf, s, e)
        s = _next_cp(cbuf, s, blen)
        if e < blen:
            e = _next_cp(cbuf, e, blen)
    return count


@numba.njit(cache=True)
def _max_doc_len(offsets):
    m = 0
    for i in range(offsets.size - 1):
        d = offsets[i + 1] - offsets[i]
        if d > m:
            m = d
    return m


@numba.njit(cache=True)
def _doc_shingles(data, lo, hi, ascii_map, lower_cp, table, stable, check, n, char_mode,
                  buf, buf64, cbuf, cbuf64, starts, ends, th, out):
    """Passes 1-4 for one document: the count of shingle hashes written to out, or -1."""
    w, ntok = _normalise_doc(data, lo, hi, ascii_map, lower_cp, table, stable, check, not char_mode, buf,
                             starts, ends)
    if w < 0:
        return -1
    if char_mode:
        return _char_shingle_hashes(buf, w, n, cbuf, cbuf64, out)
    for t in range(ntok):  # pass 3
        th[t] = _token_hash(buf64, starts[t], ends[t])
    return _word_shingle_hashes(th, ntok, n, out)


@numba.njit(cache=True)
def _scratch(max_len):
    # A document of L bytes normalises to at most 5L/3 + 2 bytes (a 3-byte solo character
    # becomes 0, 3 bytes, 0); the branch-free bounds write up to one slot per byte of it.
    size = (2 * max_len + 2 * PAD + 16) // 8 * 8
    buf = np.zeros(size, dtype=np.uint8)
    cbuf = np.zeros(size, dtype=np.uint8)
    starts = np.empty(2 * max_len + 4, dtype=np.int64)
    ends = np.empty(2 * max_len + 4, dtype=np.int64)
    th = np.empty(max_len + 2, dtype=np.uint32)
    sh = np.empty(2 * max_len + 2, dtype=np.uint32)
    return buf, cbuf, starts, ends, th, sh


@numba.njit(cache=True)
def batch_signatures(data, offsets, ascii_map, lower_cp, table, stable, check, n, char_mode, a, b, out):
    """MinHash signatures of every document into out (n_docs x num_perm); returns a bool
    per document: True where `check` stopped it (its row of out is not written)."""
    n_docs = offsets.size - 1
    flagged = np.zeros(n_docs, dtype=np.bool_)
    buf, cbuf, starts, ends, th, sh = _scratch(_max_doc_len(offsets))
    buf64 = buf.view(np.uint64)
    cbuf64 = cbuf.view(np.uint64)
    num_perm = a.size
    for i in range(n_docs):
        count = _doc_shingles(data, offsets[i], offsets[i + 1], ascii_map, lower_cp, table, stable,
                              check, n, char_mode, buf, buf64, cbuf, cbuf64, starts, ends, th, sh)
        if count < 0:
            flagged[i] = True
            continue
        for t in range(count):
            sh[t] = _fmix32(sh[t])  # datasketch's affine32 pre-mix
        # Permutation outside, shingles inside: the minimum stays in a register and the
        # shingle loop vectorises (2x the other order, measured).
        for k in range(num_perm):
            ak = a[k]
            bk = b[k]
            m = np.uint32(0xFFFFFFFF)
            for t in range(count):
                m = min(m, np.uint32(ak * sh[t] + bk))
            out[i, k] = m
    return flagged


@numba.njit(cache=True)
def batch_hashes(data, offsets, ascii_map, lower_cp, table, stable, check, n, char_mode):
    """(hashes uint32[m], offsets int64[n_docs + 1], flagged bool[n_docs]): every document's
    shingle hashes in order; a flagged document has none here (see batch_signatures)."""
    n_docs = offsets.size - 1
    flagged = np.zeros(n_docs, dtype=np.bool_)
    buf, cbuf, starts, ends, th, sh = _scratch(_max_doc_len(offsets))
    buf64 = buf.view(np.uint64)
    cbuf64 = cbuf.view(np.uint64)
    out = np.empty((offsets[n_docs] - offsets[0]) // 5 + n_docs + 16, dtype=np.uint32)
    out_off = np.empty(n_docs + 1, dtype=np.int64)
    out_off[0] = 0
    w = 0
    for i in range(n_docs):
        count = _doc_shingles(data, offsets[i], offsets[i + 1], ascii_map, lower_cp, table, stable,
                              check, n, char_mode, buf, buf64, cbuf, cbuf64, starts, ends, th, sh)
        if count < 0:
            flagged[i] = True
            count = 0
        if w + count > out.size:
            grown = np.empty(max(2 * out.size, w + count + 16), dtype=np.uint32)
            grown[:w] = out[:w]
            out = grown
        out[w : w + count] = sh[:count]
        w += count
        out_off[i + 1] = w
    return out[:w].copy(), out_off, flagged


@numba.njit(cache=True)
def splice_hashes(hashes, offsets, rows, sub_hashes, sub_offsets):
    """Replace the (empty) hash lists of documents `rows` (ascending) by those of a second
    batch holding exactly those documents in that order."""
    n_docs = offsets.size - 1
    out = np.empty(hashes.size + sub_hashes.size, dtype=np.uint32)
    out_off = np.empty(n_docs + 1, dtype=np.int64)
    out_off[0] = 0
    w = 0
    r = 0
    for i in range(n_docs):
        if r < rows.size and rows[r] == i:
            lo, hi = sub_offsets[r], sub_offsets[r + 1]
            out[w : w + hi - lo] = sub_hashes[lo:hi]
            w += hi - lo
            r += 1
        else:
            lo, hi = offsets[i], offsets[i + 1]
            out[w : w + hi - lo] = hashes[lo:hi]
            w += hi - lo
        out_off[i + 1] = w
    return out[:w], out_off
