/// Reads a command line word by word. Options are `--name VALUE` or
/// `--name=VALUE`; every option takes a value.
struct ArgumentReader {
    private var words: ArraySlice<String>

    init(_ words: [String]) { self.words = words[...] }

    var isAtEnd: Bool { words.isEmpty }

    /// The words not read yet.
    var remaining: [String] { Array(words) }

    /// Whether the next word is an option (`-x`, `--name...`).
    var nextIsOption: Bool { words.first.map { $0.count > 1 && $0.hasPrefix("-") } ?? false }

    mutating func next() -> String? { words.popFirst() }

    /// Reads the next word as an option and its value.
    mutating func nextOption() throws(CommandLineError) -> (name: String, value: String) {
        guard let word = words.popFirst() else { throw .usage("expected an option") }
        if let equals = word.firstIndex(of: "=") {
            return (String(word[..<equals]), String(word[word.index(after: equals)...]))
        }
        guard let value = words.popFirst() else { throw .usage("option \(word) needs a value") }
        return (word, value)
    }
}
