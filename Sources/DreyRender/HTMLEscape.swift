/// Escaping for text placed in HTML or attributes outside the template engine.
public enum HTMLEscape {
    /// By bytes, as templates escape (`ByteHTMLEscaping`): the five characters are ASCII, which UTF-8 never uses inside
    /// another character. Walking Unicode characters instead was slower and let a `<` joined by a combining mark
    /// through unescaped.
    public static func text(_ s: String) -> String { ByteHTMLEscaping.escape(s) }
}
