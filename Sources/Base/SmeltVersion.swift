/// The version written into manifests and journals, checked on resume and
/// printed by `smelt --version`.
public let smeltVersion = "0.1.0"
