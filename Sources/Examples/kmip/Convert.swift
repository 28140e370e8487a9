// swift-kmip: the `kmip` command line tool.

import ArgumentParser
import Foundation
import KMIPXML

/// `kmip convert`: re-encode messages between TTLV, hex, XML, JSON and the readable dump.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert KMIP messages between encodings.",
        discussion: """
            Reads FILE (standard input when absent or -) and writes standard output. \
            hex is TTLV as hex text, one message per line (spaces and | are ignored on input); \
            ttlv is raw bytes; xml and json are the KMIP text encodings; text is a readable dump \
            with key material redacted unless --reveal is given. One message is written as a \
            bare XML element or JSON object; a test-case document (a <KMIP> element, a JSON \
            array, several messages) converts message by message.
            """
    )

    @Option(help: "Input format: ttlv, hex, xml or json (guessed when absent).")
    var from: MessageFormat?

    @Option(help: "Output format: ttlv, hex, xml, json or text.")
    var to: MessageFormat = .text

    @Flag(help: "Accept what real servers send: unchecked padding, any non-zero Boolean.")
    var tolerant = false

    @Flag(help: "Show key material and passwords in the text dump.")
    var reveal = false

    @Argument(help: "The input file; standard input when absent or -.")
    var file: String?

    func validate() throws {
        if from == .text { throw ValidationError("text is an output format only") }
    }

    func run() throws {
        let input = try MessageIO.readInput(file)
        let format = from ?? MessageFormat.sniff(input)
        do {
            let messages = try MessageIO.decodeMessages(input, format: format, options: tolerant ? .tolerant : .strict)
            let output = try MessageIO.encodeMessages(messages, format: to, revealSecrets: reveal)
            FileHandle.standardOutput.write(Data(output))
        } catch let error as KMIPError {
            throw ToolError("\(file ?? "stdin"): \(error)")
        }
    }
}
