import TestSupport
import Base
import Checkpoint
import Testing

/// XXH3-64 digests must equal those of an independent implementation (the
/// Python `xxhash` package on the same bytes), and SHA-256 those of FIPS 180-4.
@Suite struct DigestTests {
    /// `xxhash.xxh3_64_hexdigest(bytes(i % 251 for i in range(n)))`, recorded
    /// with Python xxhash 4.1.0.
    static let referenceDigests: [(Int, String)] = [
        (0, "2d06800538d394c2"), (1, "c44bdff4074eecdb"), (3, "5f4299fc161c9cbb"), (16, "8355e3a6f61770db"),
        (17, "9ef341a99de37328"), (128, "85c6174c7ff4c46b"), (129, "ec7642b431ba3e5a"), (240, "375a384d957fe865"),
        (241, "02e8cd95421c6d02"), (1000, "33ef703fb2b20ed1"), (100_000, "42c23aeead96750d"), (9_000_000, "fa183fcc659f42f2"),
    ]

    private func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

    @Test func oneShotDigestsMatchPythonXXHash() {
        for (count, expected) in Self.referenceDigests {
            #expect(XXH3.hex(XXH3.digest(pattern(count))) == expected, "\(count) bytes")
        }
    }

    @Test func streamingDigestMatchesOneShotAcrossUnevenPieces() {
        let bytes = pattern(9_000_000)
        let hasher = XXH3Hasher()
        bytes.withUnsafeBytes { raw in
            var start = 0
            var step = 1
            while start < raw.count {
                let end = min(raw.count, start + step)
                hasher.update(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
                step = step * 3 + 1
            }
        }
        #expect(XXH3.hex(hasher.finalize()) == "fa183fcc659f42f2")
    }

    @Test func parsesOnlyLowercaseSixteenDigitHex() {
        #expect(XXH3.parseHex("2d06800538d394c2") == 0x2d06800538d394c2)
        #expect(XXH3.parseHex("2D06800538D394C2") == nil)
        #expect(XXH3.parseHex("????????????????") == nil)
        #expect(XXH3.parseHex("2d06800538d394c") == nil)
        #expect(XXH3.hex(1) == "0000000000000001")
    }

    /// Fixtures/fixture-digests.json was written by tools/make_fixtures.py
    /// with Python xxhash; every header and tensor digest must agree.
    @Test func fixtureDigestsMatchPythonXXHash() throws {
        let path = TestFiles.fixture("fixture-digests.json")
        let root = try JSONScanner.parse(TestFiles.read(path))
        guard case .object(let files) = root.value else { Issue.record("not an object"); return }
        var tensorCount = 0
        for (relative, node) in files {
            guard case .object(let fields) = node.value else { continue }
            let file = try SafeTensorsFile(path: TestFiles.fixture(relative))
            let digests = try file.computeDigests()
            for (key, value) in fields {
                switch (key, value.value) {
                case ("header_xxh3", .string(let expected)):
                    #expect(XXH3.hex(digests.header) == expected, "\(relative) header")
                case ("tensors", .object(let tensors)):
                    let computed = Dictionary(uniqueKeysWithValues: digests.tensors.map { ($0.name, XXH3.hex($0.digest)) })
                    #expect(computed.count == tensors.count)
                    for (name, expected) in tensors {
                        guard case .string(let expected) = expected.value else { continue }
                        #expect(computed[name] == expected, "\(relative) \(name)")
                        tensorCount += 1
                    }
                default:
                    continue
                }
            }
        }
        #expect(tensorCount > 200)
    }

    @Test func windowedDigestOfLargeTensorMatchesPython() throws {
        // 614,400-byte tensors hashed in 4 KiB windows still give Python's digest.
        let relative = "models/llama-large-base/model.safetensors"
        let file = try SafeTensorsFile(path: TestFiles.fixture(relative))
        guard let tensor = file.tensor(named: "model.layers.0.mlp.down_proj.weight") else { Issue.record("fixture changed"); return }
        let range = file.fileRange(of: tensor)
        let windowed = try RangeDigester.digests(of: file.file, ranges: [range], threads: 1, windowBytes: 4096)[0]
        #expect(windowed == file.mapping.withBytes(in: range) { XXH3.digest($0) })
        let root = try JSONScanner.parse(TestFiles.read(TestFiles.fixture("fixture-digests.json")))
        guard case .object(let files) = root.value, let entry = files.first(where: { $0.key == relative })?.node,
              case .object(let fields) = entry.value, case .object(let tensors)? = fields.first(where: { $0.key == "tensors" })?.node.value,
              case .string(let expected)? = tensors.first(where: { $0.key == tensor.name })?.node.value else {
            Issue.record("fixture-digests.json lacks the tensor")
            return
        }
        #expect(XXH3.hex(windowed) == expected)
    }

    @Test func sha256MatchesFIPSExamples() {
        func sha(_ bytes: [UInt8], pieces: Int = 1) -> String {
            var hasher = SHA256()
            let size = max(1, bytes.count / pieces)
            bytes.withUnsafeBytes { raw in
                var start = 0
                repeat {
                    let end = min(raw.count, start + size)
                    hasher.update(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    start = end
                } while start < raw.count
            }
            return hasher.finalizeHex()
        }
        #expect(sha([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8), pieces: 7)
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(sha([UInt8](repeating: 0x61, count: 1_000_000), pieces: 13)
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
