import Foundation
import Base
import TestSupport
import Testing

@testable import Tokenize

/// BPE merges read straight from the file's bytes give the tokenizer that
/// the generic JSON reader gives (the fallback when the layout is unusual).
@Suite struct MergeListScannerTests {
    @Test(arguments: ["bytebpe", "fallback"])
    func scannedMergesEqualGenericOnes(name: String) throws {
        let bytes = try TestFiles.read(ReferenceFiles.folder(name) + "/tokenizer.json")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(bytes.withUnsafeBytes { MergeListScanner.locateMerges(in: $0) } != nil)
        // An escaped key is the same key to JSON but hides it from the scanner.
        let escaped = Array(text.replacingOccurrences(of: #""merges":"#, with: #""m\u0065rges":"#).utf8)
        #expect(escaped != bytes)
        #expect(escaped.withUnsafeBytes { MergeListScanner.locateMerges(in: $0) } == nil)
        let scanned = try Tokenizer(json: bytes, file: "scanned")
        let generic = try Tokenizer(json: escaped, file: "generic")
        for text in try ReferenceFiles.corpus() {
            #expect(scanned.encode(text).ids == generic.encode(text).ids)
        }
    }

    @Test func decodesEscapesInMerges() throws {
        let json = #"""
            {"model": {"type": "BPE", "vocab": {"é": 0, "😀": 1, "é😀": 2, "\"": 3, "\"\"": 4},
             "merges": ["\u00e9 \ud83d\ude00", ["\"", "\u0022"]]}}
            """#
        let tokenizer = try Tokenizer(json: Array(json.utf8), file: "t.json")
        #expect(tokenizer.encode("é😀\"\"").ids == [2, 4])
    }
}
