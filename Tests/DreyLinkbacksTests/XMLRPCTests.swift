import DreyLinkbacks
import Foundation
import Testing

@Suite struct XMLRPCTests {
    @Test("a pingback.ping call is read with its two string parameters, typed or not")
    func parsesCall() throws {
        let body = """
            <?xml version="1.0"?>
            <methodCall><methodName>pingback.ping</methodName>
            <params><param><value><string>http://a.example/post?x=1&amp;y=2</string></value></param>
            <param><value>http://b.example/target/</value></param></params></methodCall>
            """
        let call = try XMLRPC.parseCall(Array(body.utf8))
        #expect(call.method == "pingback.ping")
        #expect(call.params == [.string("http://a.example/post?x=1&y=2"), .string("http://b.example/target/")])
    }

    @Test("structs, arrays, ints and booleans nest")
    func nestedValues() throws {
        let body = """
            <methodCall><methodName>x</methodName><params><param><value><struct>
            <member><name>a</name><value><int>4</int></value></member>
            <member><name>b</name><value><array><data><value><boolean>1</boolean></value><value><i4>-2</i4></value></data></array></value></member>
            </struct></value></param></params></methodCall>
            """
        let call = try XMLRPC.parseCall(Array(body.utf8))
        #expect(call.params == [.struct(["a": .int(4), "b": .array([.bool(true), .int(-2)])])])
    }

    @Test("bodies that are not XML-RPC get the fault WordPress's server answers")
    func badBodies() {
        let cases: [(String, Int)] = [
            ("", -32700), ("not xml at all", -32700), ("<methodCall><methodName>x</methodName>", -32700),
            ("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><methodCall><methodName>&a;</methodName></methodCall>", -32700),
            ("<methodResponse><params/></methodResponse>", -32600), ("<methodCall><params/></methodCall>", -32600),
            ("<methodCall><methodName>x</methodName><params><param><value><int>nope</int></value></param></params></methodCall>", -32700),
        ]
        for (body, code) in cases {
            #expect(throws: XMLRPCFault.self) { try XMLRPC.parseCall(Array(body.utf8)) }
            do {
                _ = try XMLRPC.parseCall(Array(body.utf8))
            } catch {
                #expect(error.code == code, "\(body)")
            }
        }
    }

    @Test("a DTD anywhere is refused: after a long comment, in lower case, in a remote answer")
    func dtdAnywhere() {
        let padding = "<!--" + String(repeating: "x", count: 10_000) + "-->"
        let bomb = "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
        let calls = [
            "<?xml version=\"1.0\"?>" + padding + bomb + "<methodCall><methodName>&b;</methodName></methodCall>",
            "<?xml version=\"1.0\"?>" + padding
                + "<!doctype methodCall SYSTEM \"file:///etc/passwd\"><methodCall><methodName>x</methodName></methodCall>",
            "<?xml version=\"1.0\"?>" + String(repeating: " ", count: 5000) + "<!EnTiTy a \"b\"><methodCall><methodName>x</methodName></methodCall>",
        ]
        for body in calls {
            #expect(throws: XMLRPCFault.notWellFormed) { try XMLRPC.parseCall(Array(body.utf8)) }
        }
        let answer =
            "<?xml version=\"1.0\"?>" + padding + bomb
            + "<methodResponse><params><param><value><string>&b;</string></value></param></params></methodResponse>"
        guard case .failure(let fault) = XMLRPC.parseResponse(Array(answer.utf8)) else {
            Issue.record("a remote answer with a DTD was read")
            return
        }
        #expect(fault.message.contains("DTD"))
        // Text that merely mentions a doctype, escaped as XML-RPC writes it, is an ordinary string.
        let plain = XMLRPC.response(.string("<!DOCTYPE html> is how pages start"))
        #expect(XMLRPC.parseResponse(Array(plain.utf8)) == .success(.string("<!DOCTYPE html> is how pages start")))
    }

    @Test("responses and faults round-trip, with text escaped")
    func roundTrip() {
        let ok = XMLRPC.response(.string("Pingback from <a> & b registered."))
        #expect(XMLRPC.parseResponse(Array(ok.utf8)) == .success(.string("Pingback from <a> & b registered.")))
        let fault = XMLRPC.fault(XMLRPCFault(48, "The pingback has already been registered."))
        #expect(XMLRPC.parseResponse(Array(fault.utf8)) == .failure(XMLRPCFault(48, "The pingback has already been registered.")))
        let call = XMLRPC.call("pingback.ping", [.string("http://a/?q=<x>"), .string("http://b/")])
        #expect((try? XMLRPC.parseCall(Array(call.utf8)))?.params == [.string("http://a/?q=<x>"), .string("http://b/")])
    }

    @Test("Trackback answers are written and read as the spec has them")
    func trackbackResponses() {
        #expect(TrackbackResponse.parseError(TrackbackResponse.success()) == nil)
        #expect(TrackbackResponse.parseError(TrackbackResponse.error("Sorry & no")) == "Sorry &amp; no")
        #expect(TrackbackResponse.parseError("<html>") == "the answer is not a TrackBack response")
    }
}
