import Foundation

/// The local date and time, formatted as Python's `datetime.strftime` does
/// for the directives chat templates use (transformers' `strftime_now`).
struct LocalTime {
    let components: DateComponents

    static func now() -> LocalTime {
        LocalTime(
            components: Calendar(identifier: .gregorian).dateComponents(
                [.year, .month, .day, .hour, .minute, .second, .weekday], from: Date()))
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    private static func padded(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    func formatted(_ format: String) -> String {
        let month = Self.monthNames[max(1, min(12, components.month ?? 1)) - 1]
        let day = Self.dayNames[max(1, min(7, components.weekday ?? 1)) - 1]
        let hour = components.hour ?? 0
        var result = ""
        var escaped = false
        for character in format {
            guard escaped else {
                if character == "%" { escaped = true } else { result.append(character) }
                continue
            }
            escaped = false
            switch character {
            case "d": result += Self.padded(components.day ?? 1)
            case "m": result += Self.padded(components.month ?? 1)
            case "Y": result += String(components.year ?? 1970)
            case "y": result += Self.padded((components.year ?? 1970) % 100)
            case "b": result += String(month.prefix(3))
            case "B": result += month
            case "a": result += String(day.prefix(3))
            case "A": result += day
            case "H": result += Self.padded(hour)
            case "I": result += Self.padded(hour % 12 == 0 ? 12 : hour % 12)
            case "p": result += hour < 12 ? "AM" : "PM"
            case "M": result += Self.padded(components.minute ?? 0)
            case "S": result += Self.padded(components.second ?? 0)
            case "%": result += "%"
            default: result += "%" + String(character)
            }
        }
        return result
    }
}
