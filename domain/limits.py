"""Request size limit (OWASP API4), the one number both the local gateway and the API functions enforce.

API Gateway (REST) accepts bodies up to 10 MB; the functions refuse anything above `MAX_BODY_BYTES` with
413 before parsing it, and the local gateway stops reading there.

Why 256 KiB, not less: the limit must admit every valid request the contract allows, as ordinary JSON
encoders write it. The largest is an order of 100 items (`items` maxItems 100), each with a 64-character
`sku`, a 200-character `description`, `quantity` 10000 and `unitPrice` 1000000000, plus `currency`.
`maxLength` counts characters, not bytes, and a description may be in any script, so (bytes):

    description characters            compact  `json.dumps` default  indent=2  indent=4
    ASCII                              33,228          34,030          37,440    40,646
    raw UTF-8, 4-byte (emoji)          93,228          94,030          97,440   100,646
    \\u-escaped BMP (é, 日: 6 bytes)   133,228         134,030         137,440   140,646
    \\u-escaped astral (12 bytes)      253,228         254,030         257,440   260,646

`\\u` escapes are what Python's `json.dumps` (and so `requests`) writes by default. 16 KiB would refuse
even the ASCII order; 128 KiB would refuse a Python client's order with 200-character accented
descriptions. 256 KiB (262,144 bytes) admits every row above and is still 1/40 of API Gateway's
ceiling. The largest client body (`ClientInput`) is under 4 KiB in any encoding. Only insignificant
whitespace beyond the usual indentation makes a valid body larger; that is refused.
"""

MAX_BODY_BYTES = 256 * 1024
