"""Shingling and batch MinHash: behaviour pinned, and bit-identical to datasketch 2.0 affine32."""

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from datasketch import MinHash

from curation.dedup.minhash import MinHasher, affine32_permutations, jaccard_estimate
from curation.dedup.shingle import Shingler, normalize, shingle_hash32, token_hash32

TEXTS = [
    "The quick brown fox jumps over the lazy dog. The quick brown fox jumps again!",
    "",
    "   \t\n  ",
    "... --- !!!",
    "two words",
    None,
    "我们是中国人，我们爱和平。",
    "東京は日本の首都です",
    "Ｆｕｌｌ-width ΑΣ café — naïve ﬁne 😀 emoji x1 x2 x3 ½",
    "e\u0301te\u0301 compose ÉTÉ",
    "한국어 텍스트 는 띄어쓰기 를 한다 정말",
    " ".join(f"w{i % 97}" for i in range(1500)),
]


def _fmix64(h):
    m = (1 << 64) - 1
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & m
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & m
    return h ^ (h >> 33)


def test_token_hash_definition():
    # Written out independently of the implementation, with struct-free int arithmetic.
    m = (1 << 64) - 1
    assert token_hash32(b"") == 0  # fmix64(0) == 0
    a = (5 * 0x9E3779B97F4A7C15) & m
    want = _fmix64(((a ^ int.from_bytes(b"hello", "little")) * 0xFF51AFD7ED558CCD) & m) >> 32
    assert token_hash32(b"hello") == want
    long = "naïve-résumé_word".encode()  # 3 chunks of 8 bytes, the last one partial
    h = (len(long) * 0x9E3779B97F4A7C15) & m
    for chunk in (long[:8], long[8:16], long[16:]):
        h = ((h ^ int.from_bytes(chunk, "little")) * 0xFF51AFD7ED558CCD) & m
    assert token_hash32(long) == _fmix64(h) >> 32
    assert len({token_hash32(w.encode()) for w in ("a", "b", "ab", "ba", "a\x00", "aaaaaaaa", "aaaaaaaaa")}) == 7


def test_shingle_hash_definition():
    b = b"the quick brown fox jumps"
    h = 0x9E3779B9
    for piece in b.split(b" "):
        h = (h * 0x01000193 + token_hash32(piece)) & 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    assert shingle_hash32(b) == h
    assert shingle_hash32("the quick") == shingle_hash32(b"the quick")
    assert 0 <= shingle_hash32(b"") < 2**32


def test_normalisation_and_word_shingles():
    sh = Shingler()
    assert sh.tokens("Hello, World!  It's 2024—OK?") == ["hello", "world", "it", "s", "2024", "ok"]
    assert sh.tokens("Ｆｕｌｌ ﬁne ΑΣ ÉTÉ") == ["full", "fine", "ασ", "été"]  # NFKC, then simple lowercase
    assert Shingler(nfkc=False).tokens("Ｆｕｌｌ") == ["ｆｕｌｌ"]
    assert Shingler(lowercase=False).tokens("Hello") == ["Hello"]
    assert sh.shingles("A b c d e f") == [b"a b c d e", b"b c d e f"]
    assert normalize(["Ｆｕｌｌ", None]).to_pylist() == ["full", ""]
    assert normalize(pl.Series(["A", None])).to_pylist() == ["a", ""]
    assert normalize(pa.array([1, None])).to_pylist() == ["1", ""]


def test_nfkc_fast_path_equals_full_nfkc():
    # Mixed strings around the NFKC-stable table's edges: compositions (e + U+0301), Hangul
    # jamo, Oriya vowel signs, compatibility characters, non-BMP characters.
    pool = list("abcXYZ 09,.") + [
        "é",
        "e",
        "\u0301",
        "\u0327",
        "ﬁ",
        "Ａ",
        "ｶ",
        "가",
        "\u1161",
        "\u11a8",
        "ᄀ",
        "Å",
        "Å",
        "ǅ",
        "ß",
        "Σ",
        "…",
        "™",
        "½",
        "\u0b47",
        "\u0b3e",
        "ó",
        "\u00a0",
        "𝐀",
        "😀",
        "中",
        "ﾞ",
        "\u3099",
        "か",
    ]
    rng = np.random.default_rng(0)
    texts = ["".join(rng.choice(pool, size=rng.integers(0, 12))) for _ in range(3000)]
    full = pl.Series(texts).str.normalize("NFKC").to_list()
    want = Shingler(n=2, nfkc=False).hashes(full)
    got = Shingler(n=2).hashes(texts)
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[0], want[0])
    # The signatures agree too (their kernel retries the same documents through polars).
    hasher = MinHasher(num_perm=16)
    np.testing.assert_array_equal(
        hasher.signatures(texts), MinHasher(num_perm=16, shingler=Shingler(nfkc=False)).signatures(full)
    )
    assert normalize(["ａ，ｂ…½"], lowercase=False).to_pylist() == ["a,b...1⁄2"]


def test_short_and_empty_documents():
    sh = Shingler()
    assert sh.shingles("two  words!") == [b"two words"]  # one shingle: the whole normalised text
    for empty in ("", "   \n", "...!?", None):
        assert sh.shingles(empty) == []
    hashes, offsets = sh.hashes(["", "two words", "  ", None])
    assert offsets.tolist() == [0, 0, 1, 1, 1]
    assert hashes.tolist() == [shingle_hash32(b"two words")]
    sig = MinHasher(num_perm=16).signatures(["", "   "])
    assert (sig == 0xFFFFFFFF).all()


def test_cjk_is_tokenised_per_character():
    sh = Shingler()
    # Han and kana are one token per character: word 5-grams are character 5-grams there.
    assert sh.tokens("我们是中国人，我们") == ["我", "们", "是", "中", "国", "人", "我", "们"]
    assert sh.shingles("我们是中国人")[0] == "我 们 是 中 国".encode()
    assert sh.tokens("東京はabc") == ["東", "京", "は", "abc"]
    # Hangul is written with spaces: ordinary words.
    assert sh.tokens("한국어 텍스트") == ["한국어", "텍스트"]
    # Character shingles do not insert spaces between CJK characters.
    assert Shingler(kind="char", n=3).shingles("我们是中") == ["我们是".encode(), "们是中".encode()]


def test_char_shingles():
    sh = Shingler(kind="char", n=4)
    assert sh.shingles("Ab,  cd") == [b"ab c", b"b cd"]
    assert sh.shingles("abc") == [b"abc"]
    assert sh.shingles(" ! ") == []


@pytest.mark.parametrize("kind,n", [("word", 5), ("word", 1), ("word", 3), ("char", 5), ("char", 2)])
def test_batch_hashes_equal_python_reference(kind, n):
    sh = Shingler(n=n, kind=kind)
    hashes, offsets = sh.hashes(TEXTS)
    assert hashes.dtype == np.uint32 and offsets.dtype == np.int64
    assert offsets.shape == (len(TEXTS) + 1,)
    for i, text in enumerate(TEXTS):
        ref = [shingle_hash32(s) for s in sh.shingles(text)]
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == ref, text


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (16, 7), (240, 42)])
@pytest.mark.parametrize("kind", ["word", "char"])
def test_signatures_bit_identical_to_datasketch(num_perm, seed, kind):
    hasher = MinHasher(num_perm=num_perm, seed=seed, shingler=Shingler(kind=kind))
    sig = hasher.signatures(TEXTS)
    assert sig.dtype == np.uint32 and sig.shape == (len(TEXTS), num_perm)
    for i, text in enumerate(TEXTS):
        m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash32)
        m.update_batch(hasher.shingler.shingles(text))
        assert m.scheme == "affine32"
        np.testing.assert_array_equal(m.hashvalues, sig[i])
    a, b = affine32_permutations(num_perm, seed)
    np.testing.assert_array_equal(MinHash(num_perm=num_perm, seed=seed).permutations, np.array([a, b]))


def test_datasketch_bulk_and_jaccard_agree():
    hasher = MinHasher()
    texts = TEXTS[:1] + [TEXTS[0].replace("lazy", "sleepy")]
    sig = hasher.signatures(texts)
    ms = MinHash.bulk([hasher.shingler.shingles(t) for t in texts], hashfunc=shingle_hash32)
    for i, m in enumerate(ms):
        np.testing.assert_array_equal(m.hashvalues, sig[i])
    assert jaccard_estimate(sig[0], sig[1]) == pytest.approx(ms[0].jaccard(ms[1]))


def test_input_types_agree():
    hasher = MinHasher(num_perm=32)
    want = hasher.signatures(TEXTS)
    for batch in (
        pa.array(TEXTS, pa.string()),
        pa.chunked_array([pa.array(TEXTS[:5]), pa.array(TEXTS[5:])]),
        pl.Series(TEXTS),
        pa.array(["pad"] + TEXTS, pa.large_string()).slice(1),
    ):
        np.testing.assert_array_equal(hasher.signatures(batch), want)
    assert hasher.signatures([]).shape == (0, 32)


def test_jaccard_estimate_forms():
    s = np.array([[1, 2, 3, 4], [1, 2, 0, 0], [9, 9, 9, 9]], dtype=np.uint32)
    assert jaccard_estimate(s[0], s[1]) == 0.5
    np.testing.assert_array_equal(jaccard_estimate(s, s[[1, 1, 1]]), [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(
        jaccard_estimate(s, s, np.array([0, 0, 2]), np.array([1, 2, 2])), [0.5, 0.0, 1.0]
    )
    assert jaccard_estimate(s, s, [], []).shape == (0,)
    with pytest.raises(IndexError):
        jaccard_estimate(s, s, [0], [3])
    with pytest.raises(ValueError):
        jaccard_estimate(s[0], s[0, :2])


def test_near_duplicates_estimate_close_to_true_jaccard():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in rng.integers(0, 50_000, 400)]
    edited = list(words)
    for j in rng.choice(len(words), 10, replace=False):
        edited[j] = "zz"
    sh = Shingler()
    a, b = set(sh.shingles(" ".join(words))), set(sh.shingles(" ".join(edited)))
    true_j = len(a & b) / len(a | b)
    sig = MinHasher(num_perm=256).signatures([" ".join(words), " ".join(edited)])
    assert abs(jaccard_estimate(sig[0], sig[1]) - true_j) < 0.1


def test_validation():
    with pytest.raises(ValueError, match="num_perm"):
        MinHasher(num_perm=0)
    with pytest.raises(ValueError, match="n must"):
        Shingler(n=0)
    with pytest.raises(ValueError, match="kind"):
        Shingler(kind="byte")


def test_output_growth_on_dense_cjk_and_nulls_in_slices():
    # ~1 shingle per 3 bytes: more than the kernel's first output estimate, so it must grow.
    long_cjk = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))
    texts = [long_cjk, None, "a b c d e f g", long_cjk[::-1]]
    sh = Shingler()
    hashes, offsets = sh.hashes(texts)
    assert np.diff(offsets).tolist() == [2996, 0, 3, 2996]
    assert hashes[offsets[3] : offsets[4]].tolist() == [shingle_hash32(s) for s in sh.shingles(texts[3])]
    arr = pa.array(["x"] + texts, pa.large_string()).slice(1)
    np.testing.assert_array_equal(sh.hashes(arr)[0], hashes)


def test_exact_jaccard_of_pairs_matches_python_sets():
    import numpy as np
    import polars as pl

    from curation.dedup.jaccard import ExactJaccard
    from curation.dedup.shingle import Shingler

    shingler = Shingler()
    texts = pl.Series(
        [
            "the quick brown fox jumps over the lazy dog and runs far away into the woods",
            "the quick brown fox jumps over the lazy cat and runs far away into the woods",
            "",
            "a b c",
            "a b c",
            "the quick brown fox jumps over the lazy dog and runs far away into the woods the end",
        ]
    )
    a = np.array([0, 0, 2, 3, 1, 5])
    b = np.array([1, 5, 2, 4, 5, 0])
    got = ExactJaccard(texts, shingler)(a, b)
    for x, y, value in zip(a, b, got, strict=True):
        sx, sy = set(shingler.shingles(texts[int(x)])), set(shingler.shingles(texts[int(y)]))
        expected = len(sx & sy) / len(sx | sy) if sx | sy else 0.0
        assert value == pytest.approx(expected), (x, y)


@pytest.mark.parametrize("kind", ["word", "char"])
def test_kernel_equals_reference_on_random_code_points(kind):
    # Random code points from every plane that has case, solo scripts, marks or NFKC
    # forms: the kernel's inline lowercasing, classes and NFKC retry against the reference.
    rng = np.random.default_rng(1)
    cps = np.concatenate([rng.integers(0x20, 0x7F, 300), rng.integers(0x80, 0x20000, 700)])
    cps = cps[(cps < 0xD800) | (cps > 0xDFFF)]
    texts = ["".join(chr(c) for c in rng.choice(cps, size=rng.integers(0, 30))) for _ in range(400)]
    sh = Shingler(n=2, kind=kind)
    hashes, offsets = sh.hashes(texts)
    for i, text in enumerate(texts):
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == [shingle_hash32(s) for s in sh.shingles(text)], text
