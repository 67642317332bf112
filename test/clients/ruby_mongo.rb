# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# ruby_mongo.rb: the Ruby MongoDB driver (Debian's ruby-mongo) sending "ping" once over TLS, for
# the runtime matrix (test/scenarios/runtimes).
#
# usage: ruby ruby_mongo.rb PORT CAFILE
# Prints "ok" and exits 0, or "CLASS: MESSAGE" on stderr and exits 1. The driver's own logger
# is silenced (it timestamps every line).
require 'logger'
require 'mongo'

Mongo::Logger.logger.level = Logger::FATAL
port, cafile = ARGV
begin
  client = Mongo::Client.new(["127.0.0.1:#{port}"], ssl: true, ssl_ca_cert: cafile,
                             server_selection_timeout: 3, connect_timeout: 3,
                             socket_timeout: 3, connect: :direct)
  client.database.command(ping: 1)
  client.close
  puts 'ok'
rescue StandardError => e
  # Server selection errors end with the topology and its timings: keep what precedes them.
  $stderr.puts "#{e.class}: #{e.message.sub(/ \(on .*\z/m, '').gsub(/0x\h+/, '0x')}"
  exit 1
end
