"""Cross-checks the extraction test vectors (Tests/AntiFraudTests/ReportTests.swift) with independent libraries
from PyPI: pycryptodome (Keccak-256), base58 (Base58Check), bech32 (BIP 173 reference; Bech32m per BIP 350 below).
Usage: .venv-bench/bin/pip install pycryptodome base58 bech32 && .venv-bench/bin/python Benchmarks/fraud/vectors.py
"""
import base58
import bech32
from Crypto.Hash import keccak


def k(b):
    h = keccak.new(digest_bits=256)
    h.update(b)
    return h.hexdigest()


def eip55(a):
    a = a.lower().replace("0x", "")
    h = k(a.encode())
    return "0x" + "".join(c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c for i, c in enumerate(a))


def bech32m_ok(addr):  # BIP 350: same polymod as BIP 173, constant 0x2bc830a3
    addr = addr.lower()
    hrp, data = addr[: addr.rfind("1")], [bech32.CHARSET.find(c) for c in addr[addr.rfind("1") + 1:]]
    return bech32.bech32_polymod(bech32.bech32_hrp_expand(hrp) + data) == 0x2BC830A3


for m in [b"", b"abc", b"a" * 135, b"a" * 136, b"a" * 200]:
    print("keccak256", len(m), k(m))
for a in ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
          "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
          "0xdAC17F958D2ee523a2206206994597C13D831ec7"]:
    print("eip55", a, eip55(a) == a)
for s in ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH",
          "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TLeUZDGLWnyiJVFcp3m3M1782uBsGWa8uf", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"]:
    try:
        p = base58.b58decode_check(s)
        print("base58check", s, "version", p[0], "bytes", len(p))
    except ValueError as e:
        print("base58check", s, "INVALID", e)
for a in ["BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
          "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"]:
    print("bech32 v0", a, bech32.decode("bc", a.lower()) != (None, None))
for a in ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
          "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "BC1SW50QGDZ25J",
          "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx"]:
    print("bech32m", a, bech32m_ok(a))
