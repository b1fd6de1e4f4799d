/// The JSON that `wast2json` writes for one `.wast` script: a list of
/// commands, with every module converted to a binary file beside the JSON.
struct SpecScript: Decodable {
    var commands: [SpecCommand]
}

/// One command of a script, as written by `wast2json`. Which fields are
/// present depends on `type`; `SpecTestSession` interprets them.
struct SpecCommand: Decodable {
    var type: String
    var line: Int
    /// The module's `$id` (`module`, `register`).
    var name: String?
    /// The binary module, relative to the JSON's directory.
    var filename: String?
    /// `register`: the import module name to register under.
    var `as`: String?
    var action: SpecAction?
    var expected: [SpecValue]?
    /// The expected error message of an assertion.
    var text: String?
    /// `"binary"` or `"text"` for module assertions.
    var moduleType: String?

    /// Whether the command counts in the totals: all but `register` do.
    var countsAsTest: Bool { type != "register" }

    enum CodingKeys: String, CodingKey {
        case type, line, name, filename, `as`, action, expected, text
        case moduleType = "module_type"
    }
}

/// An `invoke` of an exported function or a `get` of an exported global.
struct SpecAction: Decodable {
    var type: String
    /// The `$id` of the module to act on; the latest module when absent.
    var module: String?
    var field: String
    var args: [SpecValue]?
}

/// A typed value as `wast2json` writes it: numbers as the unsigned decimal
/// of their bit pattern, references as `"null"` or a decimal host payload,
/// and in expectations also `nan:canonical` / `nan:arithmetic`. `value` is
/// absent where only the type matters (or, for `funcref`, "any function").
struct SpecValue: Decodable {
    var type: String
    var value: String?
}
