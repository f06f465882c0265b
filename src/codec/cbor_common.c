/* CBOR helpers shared by the encoder and the decoder: reasons, head sizes,
 * UTF-8 validation, map key order. */
#include <string.h>

#include "rcprov/cbor.h"

const char *rcp_cbor_reason_str(enum rcp_cbor_reason reason)
{
    switch (reason) {
    case RCP_CBOR_OK:
        return "no error";
    case RCP_CBOR_TRUNCATED:
        return "input ends inside an item";
    case RCP_CBOR_TRAILING:
        return "unexpected bytes after the item";
    case RCP_CBOR_MALFORMED:
        return "reserved additional information value";
    case RCP_CBOR_INDEFINITE:
        return "indefinite length or break";
    case RCP_CBOR_NON_SHORTEST:
        return "integer, length or count not in shortest form";
    case RCP_CBOR_DUPLICATE_KEY:
        return "duplicate map key";
    case RCP_CBOR_UNSORTED_KEY:
        return "map keys not in ascending order";
    case RCP_CBOR_BAD_UTF8:
        return "text string is not valid UTF-8";
    case RCP_CBOR_FLOAT:
        return "floating-point numbers are not allowed";
    case RCP_CBOR_SIMPLE:
        return "simple value other than false, true or null";
    case RCP_CBOR_TAG:
        return "tags are not allowed";
    case RCP_CBOR_SIZE:
        return "input larger than the size limit";
    case RCP_CBOR_DEPTH:
        return "nesting deeper than the depth limit";
    case RCP_CBOR_ITEMS:
        return "more items than the item limit";
    case RCP_CBOR_TYPE:
        return "item of an unexpected type";
    case RCP_CBOR_LENGTH:
        return "string length out of the allowed range";
    case RCP_CBOR_RANGE:
        return "integer out of the allowed range";
    case RCP_CBOR_END:
        return "no item left";
    case RCP_CBOR_COUNT:
        return "wrong number of items";
    case RCP_CBOR_BUFFER:
        return "output buffer too small";
    case RCP_CBOR_ARG:
        return "invalid argument";
    case RCP_CBOR_NOT_FOUND:
        return "map key not present";
    case RCP_CBOR_VERSION:
        return "unknown protocol version";
    case RCP_CBOR_MSG_TYPE:
        return "message type not in the registry";
    }
    return "unknown reason";
}

size_t rcp_cbor_head_size(uint64_t arg)
{
    return (size_t)RCP_CBOR_HEAD_SIZE(arg);
}

/* RFC 3629 section 4 (UTF8-octets): second-byte ranges depend on the lead
 * byte so that overlong forms, surrogates (U+D800..DFFF) and code points
 * above U+10FFFF are refused. */
bool rcp_cbor_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t tail;
        uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
        if (b >= 0xc2 && b <= 0xdf) {
            tail = 1;
        } else if (b >= 0xe0 && b <= 0xef) {
            tail = 2;
            if (b == 0xe0)
                lo = 0xa0; /* overlong */
            else if (b == 0xed)
                hi = 0x9f; /* surrogates */
        } else if (b >= 0xf0 && b <= 0xf4) {
            tail = 3;
            if (b == 0xf0)
                lo = 0x90; /* overlong */
            else if (b == 0xf4)
                hi = 0x8f; /* above U+10FFFF */
        } else {
            return false; /* continuation byte, C0/C1 (overlong), F5..FF */
        }
        if (n - i - 1 < tail)
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= tail; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                return false;
        i += tail + 1;
    }
    return true;
}

int rcp_cbor_key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn ? 1 : 0;
}
