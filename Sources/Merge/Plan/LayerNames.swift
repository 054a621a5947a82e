import Base
/// Layer numbers in tensor names (REFERENCE.md, "Recipe semantics"): the
/// first `.<digits>.` group, as in `model.layers.12.mlp.up_proj.weight`.
enum LayerNames {
    /// The layer of `name`, or nil for tensors outside the layers.
    static func layer(of name: String) -> Int? {
        layerGroup(of: name).map { $0.number }
    }

    /// `name` with its layer number replaced by `layer`.
    static func renumbered(_ name: String, to layer: Int) -> String {
        guard let group = layerGroup(of: name) else { return name }
        let bytes = Array(name.utf8)
        return String(decoding: bytes[..<group.range.lowerBound], as: UTF8.self) + String(layer)
            + String(decoding: bytes[group.range.upperBound...], as: UTF8.self)
    }

    /// Whether a tensor outside the layers belongs before them (embeddings)
    /// rather than after (final norm, output head): in a sliced merge the
    /// first comes from the first slice, the second from the last.
    static func isBeforeLayers(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("embed") || lowered.contains("wte") || lowered.contains("wpe")
    }

    private static func layerGroup(of name: String) -> (number: Int, range: Range<Int>)? {
        let bytes = Array(name.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: ".") {
                var end = index + 1
                while end < bytes.count, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") { end += 1 }
                if end > index + 1, end < bytes.count, bytes[end] == UInt8(ascii: "."), end - index - 1 <= 9,
                    let number = Int(String(decoding: bytes[(index + 1)..<end], as: UTF8.self))
                {
                    return (number, (index + 1)..<end)
                }
            }
            index += 1
        }
        return nil
    }
}
