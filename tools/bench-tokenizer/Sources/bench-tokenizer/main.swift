import Checkpoint

#if canImport(Glibc)
import Glibc
#endif

/// Time and peak memory of GGUFTokenizerFiles on each GGUF named: the
/// header parse, then the tokenizer files, then the peak RSS of the process.
func peakResidentMiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024
}

func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

func seconds(_ duration: Duration) -> Double {
    rounded(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
}

print("file | parse s | parse peak MiB | files s | tokenizer.json MB | peak MiB")
for path in CommandLine.arguments.dropFirst() {
    let start = ContinuousClock.now
    let file = try GGUFFile(path: path)
    let parsed = ContinuousClock.now
    let parsePeak = peakResidentMiB()
    let files = try GGUFTokenizerFiles.files(from: file.header.metadata)
    let done = ContinuousClock.now
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let megabytes = rounded(Double(files[0].bytes.count) / 1e6)
    print(
        "\(name) | \(seconds(parsed - start)) | \(parsePeak) | \(seconds(done - parsed)) | \(megabytes) | "
            + "\(peakResidentMiB())")
}
