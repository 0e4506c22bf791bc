-- A site's own sending identity when one instance serves several: the base of its VERP
-- return paths (an address of its own domain) and the name of its DKIM key among those the
-- operator configured (`[outbound] dkim_keys`). NULL: the instance's.
ALTER TABLE tenants ADD COLUMN bounce_address TEXT;
ALTER TABLE tenants ADD COLUMN dkim_key TEXT;
