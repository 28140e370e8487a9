// `kmip convert` with XML and JSON, and `kmip vectors check`, run as processes.

import Foundation
import Testing
import KMIPXML

@Suite("kmip convert with XML and JSON")
struct TextConvertCommandTests {
    @Test("XML -> hex -> XML of the seed's Create request")
    func xmlHexXML() throws {
        let path = Repository.url("Vectors/seed/create-request.xml").path
        let hex = try ToolRunner.run(["convert", "--from", "xml", "--to", "hex", path])
        #expect(hex.status == 0, "\(hex.stderr)")
        #expect(hex.stdoutText.split(separator: "\n").count == 1)
        let xml = try ToolRunner.run(["convert", "--from", "hex", "--to", "xml"], input: hex.stdout)
        #expect(xml.status == 0)
        #expect(xml.stdoutText.hasPrefix("<RequestMessage>\n"))  // bare element, no declaration
        #expect(try KMIPXMLDecoder().decode(xml.stdoutText) == KMIPXMLDecoder().decode(try Repository.text("Vectors/seed/create-request.xml")))
    }

    @Test("a test-case document converts message by message; placeholders refuse TTLV")
    func document() throws {
        let path = Repository.url("Vectors/oasis-xml/1.2/derived-ovh/testcases/TC_311_12_Create_Destroy.xml").path
        let json = try ToolRunner.run(["convert", "--to", "json", path])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdoutText.hasPrefix("[\n"))
        #expect(try KMIPTestCase(json: json.stdoutText).messages.count == 4)
        let xml = try ToolRunner.run(["convert", "--from", "json", "--to", "xml"], input: json.stdout)
        #expect(xml.stdoutText.hasPrefix("<KMIP>\n"))
        #expect(try KMIPTestCase(xml: xml.stdoutText) == KMIPTestCase(xml: try Repository.text("Vectors/oasis-xml/1.2/derived-ovh/testcases/TC_311_12_Create_Destroy.xml")))
        let hex = try ToolRunner.run(["convert", "--to", "hex", path])
        #expect(hex.status != 0)
        #expect(hex.stderr.contains("$UNIQUE_IDENTIFIER_0"))
    }

    @Test("several hex lines become a <KMIP> document")
    func hexDocument() throws {
        let requests = try ["01-create-aes256.request.hex", "02-get.request.hex"].map { try Repository.text("Vectors/pykmip/" + $0) }.joined()
        let xml = try ToolRunner.run(["convert", "--from", "hex", "--to", "xml"], input: Array(requests.utf8))
        #expect(xml.status == 0, "\(xml.stderr)")
        #expect(try KMIPTestCase(xml: xml.stdoutText).messages.count == 2)
        let back = try ToolRunner.run(["convert", "--from", "xml", "--to", "hex"], input: xml.stdout)
        #expect(back.stdoutText == requests.uppercased())
    }

    @Test("a malformed XML file names the line")
    func malformed() throws {
        let result = try ToolRunner.run(["convert", "--from", "xml"], input: Array("<RequestMessage>\n<BatchCount type=\"Integer\" value=\"x\"/>\n</RequestMessage>".utf8))
        #expect(result.status != 0)
        #expect(result.stderr.contains("invalidValue at line 2, RequestMessage/BatchCount"))
    }
}

@Suite("kmip vectors check")
struct VectorsCheckCommandTests {
    @Test("on a copy of the OASIS vectors outside the repository: a line per file, every failure listed")
    func copyOutsideRepository() throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("kmip-vectors-\(UInt64.random(in: 0 ... .max))")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let copy = temporary.appendingPathComponent("oasis-xml")
        try FileManager.default.copyItem(at: Repository.url("Vectors/oasis-xml"), to: copy)

        let result = try ToolRunner.run(["vectors", "check", copy.path])
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.count == 317 + 1)
        #expect(lines.last == "285 passed, 32 failed, 0 skipped")
        #expect(result.status == 1)
        let known = try String(contentsOf: Repository.url("Vectors/known-failures.txt"), encoding: .utf8)
        for line in lines where line.hasPrefix("FAIL ") {
            let path = String(line.dropFirst("FAIL ".count).prefix { $0 != ":" }.dropFirst(temporary.path.count + 1))
            #expect(known.contains(path + "\tcodec\t"), "\(path) fails but is not listed")
        }

        // With the list, the same run is clean.
        let listed = try ToolRunner.run(["vectors", "check", "--known-failures", Repository.url("Vectors/known-failures.txt").path, copy.path])
        #expect(listed.status == 0, "\(listed.stdoutText.suffix(500))")
        #expect(listed.stdoutText.hasSuffix("285 passed, 0 failed, 32 skipped\n"))
    }

    @Test("inside Vectors/ the list applies by itself; a listed file that passes is XPASS")
    func xpass() throws {
        let result = try ToolRunner.run(["vectors", "check", Repository.url("Vectors/oasis-xml/3.0/mandatory/AKLC-M-1-30.xml").path])
        #expect(result.status == 0)
        #expect(result.stdoutText.hasPrefix("XFAIL "))
        #expect(result.stdoutText.hasSuffix("0 passed, 0 failed, 1 skipped\n"))

        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("kmip-xpass-\(UInt64.random(in: 0 ... .max))")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try FileManager.default.createDirectory(at: temporary.appendingPathComponent("Vectors/oasis-xml"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Repository.url("Vectors/seed/create-request.xml"), to: temporary.appendingPathComponent("Vectors/oasis-xml/fine.xml"))
        try "oasis-xml/fine.xml\tcodec\tclaimed broken\n".write(to: temporary.appendingPathComponent("Vectors/known-failures.txt"), atomically: true, encoding: .utf8)
        let xpass = try ToolRunner.run(["vectors", "check", temporary.appendingPathComponent("Vectors").path])
        #expect(xpass.status == 1)
        #expect(xpass.stdoutText.contains("XPASS "))
        #expect(xpass.stdoutText.hasSuffix("0 passed, 1 failed, 0 skipped\n"))
    }

    @Test("a broken vector fails with the line and path of the problem")
    func brokenVector() throws {
        let original = try Repository.text("Vectors/oasis-xml/1.2/derived-ovh/testcases/TC_311_12_Create_Destroy.xml")
        let broken = original.replacingOccurrences(of: "value=\"SymmetricKey\"", with: "value=\"SymmetricKee\"")
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("kmip-broken-\(UInt64.random(in: 0 ... .max)).xml")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try broken.write(to: temporary, atomically: true, encoding: .utf8)
        let result = try ToolRunner.run(["vectors", "check", temporary.path])
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("FAIL \(temporary.path): read: unknownName at line 19, RequestMessage/BatchItem/RequestPayload/ObjectType: 'SymmetricKee' is not a value of Object Type"))
    }

    @Test("usage errors exit with 2")
    func usage() throws {
        #expect(try ToolRunner.run(["vectors", "check"]).status == 2)
        #expect(try ToolRunner.run(["vectors", "check", "/nonexistent"]).status == 2)
    }
}
