-- wrk script: POSTs the file $BODY_FILE with $CONTENT_TYPE (and optional
-- $CONTENT_ENCODING) on every request.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE")
local enc = os.getenv("CONTENT_ENCODING")
if enc and enc ~= "" then wrk.headers["Content-Encoding"] = enc end
