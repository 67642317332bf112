# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# ruby_tls.rb: plain Ruby TLS as applications write it: OpenSSL::SSL::SSLSocket verifying the
# chain with ca_file, then post_connection_check for the name (after the handshake), for the
# runtime matrix (test/scenarios/runtimes).
#
# usage: ruby ruby_tls.rb PORT CAFILE [NAME]
# Prints "ok VERSION" and exits 0, or "CLASS: MESSAGE" on stderr and exits 1.
require 'socket'
require 'openssl'

port, cafile, name = ARGV
name ||= 'localhost'
begin
  ctx = OpenSSL::SSL::SSLContext.new
  ctx.ca_file = cafile
  ctx.verify_mode = OpenSSL::SSL::VERIFY_PEER
  tcp = TCPSocket.new('127.0.0.1', port.to_i)
  ssl = OpenSSL::SSL::SSLSocket.new(tcp, ctx)
  ssl.hostname = name
  ssl.sync_close = true
  ssl.connect
  ssl.post_connection_check(name)
  puts "ok #{ssl.ssl_version}"
  ssl.close
rescue StandardError => e
  $stderr.puts "#{e.class}: #{e.message}"
  exit 1
end
