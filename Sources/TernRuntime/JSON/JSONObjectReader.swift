/// Why settings (the configuration file, an admin request, a deploy's
/// query parameters) cannot be used. Each message names the field.
public enum SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not JSON.
    case syntax(JSONSyntaxError)
    /// `field` (a path such as `functions[1].limits.timeout`) is wrong.
    case invalidField(field: String, reason: String)
    /// A file named by the settings cannot be read.
    case unreadableFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .syntax(let error): error.description
        case .invalidField(let field, let reason): "\(field): \(reason)"
        case .unreadableFile(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}

/// Reads a JSON object field by field: typed accessors whose errors name
/// the offending field by its path, and a check that no unknown key (most
/// often a typo) is silently ignored.
struct JSONObjectReader {
    let fields: [String: JSONValue]
    /// The path of this object, e.g. `functions[1]`; empty for the root.
    let path: String

    init(_ value: JSONValue, path: String) throws(SettingsError) {
        guard case .object(let fields) = value else {
            throw .invalidField(field: path.isEmpty ? "document" : path, reason: "expected an object, got \(value.kindName)")
        }
        self.fields = fields
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func invalid(_ key: String, _ reason: String) -> SettingsError {
        .invalidField(field: fieldPath(key), reason: reason)
    }

    /// Fails on a key outside `allowed`.
    func rejectUnknownKeys(allowed: Set<String>) throws(SettingsError) {
        guard let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) else { return }
        throw invalid(unknown, "unknown key (expected one of \(allowed.sorted().joined(separator: ", ")))")
    }

    /// The value of `key`; nil when absent or `null`.
    func value(_ key: String) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(SettingsError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw invalid(key, "expected a string, got \(value.kindName)") }
        return text
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(SettingsError) -> Int64? {
        guard let value = value(key) else { return nil }
        guard case .integer(let number) = value else { throw invalid(key, "expected a whole number, got \(value.kindName)") }
        guard range.contains(number) else {
            throw invalid(key, "\(number) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    func object(_ key: String) throws(SettingsError) -> JSONObjectReader? {
        guard let value = value(key) else { return nil }
        return try JSONObjectReader(value, path: fieldPath(key))
    }

    func array(_ key: String) throws(SettingsError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw invalid(key, "expected an array, got \(value.kindName)") }
        return elements
    }

    /// An object whose values are all strings, e.g. environment variables.
    func stringMap(_ key: String) throws(SettingsError) -> [String: String]? {
        guard let object = try object(key) else { return nil }
        var result: [String: String] = [:]
        for name in object.fields.keys {
            guard let text = try object.string(name) else { throw object.invalid(name, "expected a string, got null") }
            result[name] = text
        }
        return result
    }

    /// An array whose elements are all strings.
    func stringArray(_ key: String) throws(SettingsError) -> [String]? {
        guard let elements = try array(key) else { return nil }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                throw invalid("\(key)[\(index)]", "expected a string, got \(element.kindName)")
            }
            result.append(text)
        }
        return result
    }
}
