/// Human-readable numbers for terminal output.
public enum Formatting {
    /// 1234567 → "1,234,567".
    public static func grouped(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text += "," }
            text.append(digit)
        }
        return text
    }

    /// Bytes in binary units: "1.5 GiB".
    public static func bytes(_ value: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : "\(decimal(amount, places: 1)) \(units[unit])"
    }

    /// A number with a fixed count of decimals, without Foundation.
    public static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale).rounded()
        let whole = UInt64(scaled / scale)
        let fraction = UInt64(scaled - Double(whole) * scale)
        guard places > 0 else { return String(whole) }
        let fractionText = String(fraction)
        return "\(whole)." + String(repeating: "0", count: max(0, places - fractionText.count)) + fractionText
    }

    /// "[128, 32]".
    public static func shape(_ shape: [UInt64]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// Names joined with commas, at most `limit` of them, then how many
    /// more: "a, b, c, and 9 more". Keeps a message that lists a folder one
    /// readable line however big the folder.
    public static func list(_ names: [String], limit: Int = 12) -> String {
        let limit = max(1, limit)
        guard names.count > limit else { return names.joined(separator: ", ") }
        return names.prefix(limit).joined(separator: ", ") + ", and \(names.count - limit) more"
    }

    /// Left-aligns `text` in `width` columns.
    public static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
