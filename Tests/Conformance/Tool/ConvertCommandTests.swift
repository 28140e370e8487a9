// `kmip convert`, run as a process.

import Testing
import Foundation
import KMIPTTLV

@Suite("kmip convert")
struct ConvertCommandTests {
    static let getResponse = "Vectors/pykmip/02-get.response.hex"

    @Test("hex -> ttlv -> hex is the identity, uppercase, one line per message")
    func hexTTLVHex() throws {
        let hexText = try Repository.text(Self.getResponse)
        let raw = try ToolRunner.run(["convert", "--from", "hex", "--to", "ttlv"], input: Array(hexText.utf8))
        #expect(raw.status == 0, "\(raw.stderr)")
        #expect(raw.stdout == (try bytes(hex: hexText)))
        let back = try ToolRunner.run(["convert", "--from", "ttlv", "--to", "hex"], input: raw.stdout)
        #expect(back.status == 0)
        #expect(back.stdoutText == hexText.trimmingCharacters(in: .whitespacesAndNewlines).uppercased() + "\n")
    }

    @Test("several messages, one per line, with spaces and bars ignored")
    func severalMessages() throws {
        let input = "42002002000000040000000800000000\n4200 2006 | 0000 0008 | 0000 0000 0000 0001\n"
        let result = try ToolRunner.run(["convert", "--from", "hex", "--to", "hex"], input: Array(input.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == "42002002000000040000000800000000\n42002006000000080000000000000001\n")
    }

    @Test("text is the dump, with key material redacted unless --reveal")
    func text() throws {
        let path = Repository.url(Self.getResponse).path
        let redacted = try ToolRunner.run(["convert", "--to", "text", path])
        #expect(redacted.status == 0)
        #expect(redacted.stdoutText.contains("KeyMaterial (0x420043) ByteString = <redacted, 32 bytes>"))
        let revealed = try ToolRunner.run(["convert", "--to", "text", "--reveal", path])
        #expect(revealed.stdoutText.contains("4E561AF3AB0711AC"))
    }

    @Test("malformed input fails with the offset on stderr and a non-zero exit")
    func malformed() throws {
        let result = try ToolRunner.run(["convert", "--from", "hex", "--to", "text"], input: Array("4200780100000010 4200940700000020 0000000000000000\n".utf8))
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("invalidLength at byte 12, line 1, RequestMessage/UniqueIdentifier"))
    }

    @Test("bad hex names its column")
    func badHex() throws {
        let result = try ToolRunner.run(["convert", "--from", "hex"], input: Array("42007Z\n".utf8))
        #expect(result.status != 0)
        #expect(result.stderr.contains("'Z' at column 6 is not a hex digit"))
    }

    @Test("a missing file is a clear error")
    func missingFile() throws {
        let result = try ToolRunner.run(["convert", "/nonexistent/message.hex"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot read /nonexistent/message.hex"))
    }
}

@Suite("kmip bench codec")
struct BenchCommandTests {
    @Test("prints decode and encode rates as plain integers")
    func rates() throws {
        let path = Repository.url("Vectors/pykmip/02-get.response.hex").path
        let result = try ToolRunner.run(["bench", "codec", path, "--seconds", "0.05"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        for (line, prefix) in zip(lines, ["decode: ", "encode: "]) {
            #expect(line.hasPrefix(prefix) && line.hasSuffix(" msgs/s"))
            let number = line.dropFirst(prefix.count).dropLast(" msgs/s".count)
            #expect((Int(number) ?? 0) > 0, "\(line)")
        }
    }
}
