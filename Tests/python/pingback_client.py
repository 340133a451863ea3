"""Calls an XML-RPC method with Python's standard xmlrpc.client, as other blog software does, and prints
the answer as JSON: {"result": ...} or {"fault": code, "message": ...}.

Usage: pingback_client.py ENDPOINT METHOD [PARAM ...]"""
import json
import sys
import xmlrpc.client

proxy = xmlrpc.client.ServerProxy(sys.argv[1])
try:
    result = getattr(proxy, sys.argv[2])(*sys.argv[3:])
    print(json.dumps({"result": result}))
except xmlrpc.client.Fault as fault:
    print(json.dumps({"fault": fault.faultCode, "message": fault.faultString}))
except xmlrpc.client.ProtocolError as error:
    print(json.dumps({"protocol_error": error.errcode}))
