-- web.lua - wrk script for bench/web.sh: sends one header read from a file.
--
-- The file named by $WRK_HEADER_FILE holds one line, "Name: value" (a
-- session cookie or a bearer token), so that the secret never sits on wrk's
-- command line where ps could show it.
local path = os.getenv("WRK_HEADER_FILE")
assert(path, "WRK_HEADER_FILE is not set")
local f = assert(io.open(path))
local line = f:read("*l")
f:close()
local name, value = line:match("^([^:]+):%s*(.-)%s*$")
assert(name, "WRK_HEADER_FILE: want one 'Name: value' line")
wrk.headers[name] = value
