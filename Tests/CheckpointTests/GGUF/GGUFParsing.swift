import Checkpoint

/// Parses `bytes` as a whole GGUF file named "t.gguf".
func parseGGUF(_ bytes: [UInt8], headerLimit: Int = GGUFHeader.maximumHeaderLength) throws(GGUFError) -> GGUFHeader {
    let result = bytes.withUnsafeBytes { raw in
        Result { () throws(GGUFError) in try GGUFHeader.parse(file: "t.gguf", fileBytes: raw, headerLimit: headerLimit)
        }
    }
    return try result.get()
}
