-- Tunnel relay between edge replicas: each connection row names where its replica accepts relayed
-- requests (tunnel.relay.url), so a replica without a connection of a tunnel finds one that has.
-- NULL: that replica does not relay.
ALTER TABLE tunnel_connections ADD COLUMN relay_url TEXT;
