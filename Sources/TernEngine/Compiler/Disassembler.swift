/// A readable listing of translated code, one instruction per line:
/// `offset: name word word ...` (slots as `sN`, branch targets absolute).
/// For tests and for inspecting what the compiler emits.
func disassemble(_ function: UnsafePointer<CompiledFunction>, wordCount: Int) -> String {
    let code = function.pointee.code
    var lines: [String] = []
    var offset = 0
    while offset < wordCount {
        let op = Op(rawValue: UInt16(code[offset]))!
        var length = op.wordCount
        if op == .brTable { length += Int(code[offset + 2]) + 1 }
        let words = (1..<length).map { String(Int32(bitPattern: code[offset + $0])) }
        lines.append("\(offset): \(op) \(words.joined(separator: " "))")
        offset += length
    }
    return lines.joined(separator: "\n")
}

extension CompiledCode {
    /// Code words of defined function `definedIndex`.
    func wordCount(_ definedIndex: Int) -> Int {
        let start = function(definedIndex).pointee.code
        let end = definedIndex + 1 < functionCount ? function(definedIndex + 1).pointee.code : UnsafePointer(words + totalWordCount)
        return end - start
    }
}
