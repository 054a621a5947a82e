#if canImport(Glibc)
import Glibc
#endif

/// Stops the process when a property that holds for every accepted input
/// is broken, so libFuzzer records the input as a crash.
///
/// The fuzzer is the one place where trapping on file contents is the
/// point (STYLE.md rule 2 is about the readers, not their harness).
func invariant(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    guard !condition else { return }
    let text = "fuzz invariant broken at \(file):\(line): \(message())\n"
    _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    abort()
}

/// Whether two strings hold the same UTF-8 bytes. `==` on `String` compares
/// by Unicode canonical equivalence ("é" equals "e\u{301}"), which would
/// hide a round trip that changes bytes.
func sameBytes(_ first: String, _ second: String) -> Bool {
    first.utf8.elementsEqual(second.utf8)
}
