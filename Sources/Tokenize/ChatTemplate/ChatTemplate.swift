/// A chat template compiled once and rendered many times, as transformers'
/// `apply_chat_template(..., tokenize=False)` renders it: jinja2's
/// `ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)`
/// with loop controls, `{% generation %}`, `raise_exception`,
/// `strftime_now`, `namespace`, `dict` and transformers' `tojson`.
public struct ChatTemplate: Sendable {
    /// Where the template came from, named in every error.
    public let origin: String
    private let statements: [Statement]

    /// Compiles `source`; syntax errors, unknown tags and (outside `if`
    /// blocks, as jinja2) unknown filters and tests are refused here.
    public init(source: String, origin: String) throws(ChatTemplateError) {
        self.origin = origin
        do throws(TemplateFailure) {
            statements = try TemplateParser.parse(try TemplateLexer.tokenize(source))
            try TemplateValidator.check(statements)
        } catch {
            throw error.error(origin: origin)
        }
    }

    /// Renders with the given top-level variables; `strftime_now` formats
    /// `time`, or the local time now when it is nil.
    public func render(
        _ variables: [String: TemplateValue], time: TemplateTime? = nil
    ) throws(ChatTemplateError)
        -> String
    {
        let renderer = TemplateRenderer(variables: variables, time: time)
        do throws(TemplateFailure) {
            _ = try renderer.execute(statements)
        } catch {
            throw error.error(origin: origin)
        }
        return renderer.output
    }
}
