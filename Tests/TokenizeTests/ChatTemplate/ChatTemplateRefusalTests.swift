import Base
import Testing

@testable import Tokenize

/// Templates that must be refused, with the line and column (1-based) of
/// the construct at fault and the words of the problem.
@Suite struct ChatTemplateRefusalTests {
    struct Refusal: CustomTestStringConvertible, Sendable {
        let rule: String
        let source: String
        let line: Int
        let column: Int
        let problem: String
        var testDescription: String { rule }
    }

    static let syntaxErrors: [Refusal] = [
        Refusal(
            rule: "unclosed if", source: "a\n{% if x %}\nb", line: 2, column: 1,
            problem: "'if' is never closed (expected 'elif' or 'else' or 'endif')"),
        Refusal(
            rule: "unclosed for", source: "{% for m in messages %}{{ m }}", line: 1, column: 1,
            problem: "'for' is never closed (expected 'endfor' or 'else')"),
        Refusal(
            rule: "endfor without for", source: "x {% endfor %}", line: 1, column: 6,
            problem: "'endfor' without a matching 'for'"),
        Refusal(
            rule: "endif inside for", source: "{% for x in y %}\n  {% endif %}", line: 2, column: 6,
            problem: "unexpected 'endif' inside 'for' (line 1)"),
        Refusal(
            rule: "unknown tag", source: "ok\n{% frobnicate x %}", line: 2, column: 4,
            problem: "unknown tag 'frobnicate'"),
        Refusal(
            rule: "unsupported tag", source: "{% include 'other.jinja' %}", line: 1, column: 4,
            problem: "tag 'include' is not supported in chat templates"),
        Refusal(
            rule: "unterminated string", source: "{{ 'abc }}", line: 1, column: 4, problem: "string is never closed"),
        Refusal(
            rule: "bad expression", source: "{{ 1 + }}", line: 1, column: 8,
            problem: "expected an expression, found '}}'"),
        Refusal(
            rule: "unclosed variable tag", source: "line\n  {{ x", line: 2, column: 3,
            problem: "'{{' is never closed with '}}'"),
        Refusal(
            rule: "unclosed block tag", source: "{% if x", line: 1, column: 1, problem: "'{%' is never closed with '%}'"
        ),
        Refusal(
            rule: "unclosed comment", source: "a {# note", line: 1, column: 3,
            problem: "comment '{#' is never closed with '#}'"),
        Refusal(
            rule: "unknown filter", source: "\n{{ x | nope }}", line: 2, column: 8, problem: "no filter named 'nope'"),
        Refusal(
            rule: "unknown test", source: "{{ x is not nope }}", line: 1, column: 13, problem: "no test named 'nope'"),
        Refusal(
            rule: "unexpected character", source: "{{ a ! b }}", line: 1, column: 6,
            problem: "unexpected character '!'"),
        Refusal(
            rule: "mismatched bracket", source: "{{ (a] }}", line: 1, column: 6,
            problem: "unexpected ']', expected ')'"),
        Refusal(
            rule: "break outside a loop", source: "{% break %}", line: 1, column: 4, problem: "'break' outside a loop"),
        Refusal(
            rule: "parameter without default after one with", source: "{% macro m(a=1, b) %}{% endmacro %}",
            line: 1, column: 17, problem: "a parameter without a default follows one with a default"),
    ]

    @Test func refusesNestingDeeperThanTheLimit() throws {
        let deep = "{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}"
        #expect(throws: ChatTemplateError.self) { try ChatTemplate(source: deep, origin: "t") }
        let nots = "{{ " + String(repeating: "not ", count: 5000) + "x }}"
        #expect(throws: ChatTemplateError.self) { try ChatTemplate(source: nots, origin: "t") }
        let blocks = String(repeating: "{% if x %}", count: 5000) + String(repeating: "{% endif %}", count: 5000)
        #expect(throws: ChatTemplateError.self) { try ChatTemplate(source: blocks, origin: "t") }
        let chain = "{{ 1" + String(repeating: " + 1", count: 5000) + " }}"
        #expect(throws: ChatTemplateError.self) { try ChatTemplate(source: chain, origin: "t") }
        let attributes = "{{ x" + String(repeating: ".y", count: 5000) + " }}"
        #expect(throws: ChatTemplateError.self) { try ChatTemplate(source: attributes, origin: "t") }
        let sum = "{{ 1" + String(repeating: " + 1", count: 99) + " }}"
        #expect(try ChatTemplate(source: sum, origin: "t").render([:]) == "100")
        let shallow = "{{ " + String(repeating: "(", count: 20) + "1" + String(repeating: ")", count: 20) + " }}"
        #expect(try ChatTemplate(source: shallow, origin: "t").render([:]) == "1")
    }

    @Test func refusesRunawayWork() throws {
        let huge = try ChatTemplate(source: "{{ 'ab' * 100000000 }}", origin: "t")
        #expect(throws: ChatTemplateError.self) { try huge.render([:]) }
        // The budget is ten million iterations; a smaller one shows the rule without the wait.
        let statements = try TemplateParser.parse(
            try TemplateLexer.tokenize("{% for a in range(100) %}{% for b in range(100) %}{% endfor %}{% endfor %}"))
        let renderer = TemplateRenderer(variables: [:], time: nil)
        renderer.iterationsLeft = 1000
        #expect(throws: TemplateFailure.self) { _ = try renderer.execute(statements) }
    }

    @Test(arguments: syntaxErrors)
    func refusesAtCompileTimeWithThePlace(_ refusal: Refusal) {
        #expect(
            throws: ChatTemplateError(
                origin: "t.jinja", line: refusal.line, column: refusal.column,
                problem: refusal.problem)
        ) {
            try ChatTemplate(source: refusal.source, origin: "t.jinja")
        }
    }

    static let renderErrors: [Refusal] = [
        Refusal(
            rule: "calling a non-callable", source: "line one\n{{ n() }}", line: 2, column: 4,
            problem: "'int' object is not callable"),
        Refusal(
            rule: "attribute of undefined", source: "{% if true %}\n  {{ missing.attr }}{% endif %}", line: 2,
            column: 6, problem: "'missing' is undefined"),
        Refusal(
            rule: "str plus int", source: "{{ 'a' + n }}", line: 1, column: 4,
            problem: "can only concatenate str (not \"int\") to str"),
        Refusal(
            rule: "list append in the immutable sandbox", source: "{% set xs = [] %}\n{{ xs.append(1) }}", line: 2,
            column: 4, problem: "access to attribute 'append' of 'list' object is unsafe."),
        Refusal(
            rule: "raise_exception surfaces the template's text",
            source: "{% if true %}\n  {{ raise_exception('Roles must alternate, got ' ~ n) }}\n{% endif %}",
            line: 2, column: 6, problem: "Roles must alternate, got 7"),
        Refusal(
            rule: "unknown filter used inside if", source: "{% if true %}{{ n | nope }}{% endif %}", line: 1,
            column: 21, problem: "no filter named 'nope'"),
        Refusal(
            rule: "iterating None", source: "{% for x in none %}{% endfor %}", line: 1, column: 13,
            problem: "'NoneType' object is not iterable"),
    ]

    @Test(arguments: renderErrors)
    func refusesAtRenderTimeWithThePlace(_ refusal: Refusal) throws {
        let template = try ChatTemplate(source: refusal.source, origin: "t.jinja")
        #expect(
            throws: ChatTemplateError(
                origin: "t.jinja", line: refusal.line, column: refusal.column,
                problem: refusal.problem)
        ) {
            try template.render(["n": .integer(7)])
        }
    }

    @Test func errorNamesOriginLineColumnAndProblem() {
        let error = ChatTemplateError(origin: "qwen.jinja", line: 3, column: 9, problem: "unknown tag 'foo'")
        #expect(error.description == "qwen.jinja:3:9: unknown tag 'foo'")
        #expect(error.exitCode == .dataError)
    }
}
