#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>

/* Swift cannot call C variadic functions, and curl_easy_setopt / curl_easy_getinfo are
   variadic macros over variadic functions. Each wrapper below fixes one argument type so the
   call is typed on the Swift side. */

/// Signature of CURLOPT_WRITEFUNCTION: receives the response body in chunks.
typedef size_t (*ccurl_write_callback)(char *data, size_t size, size_t count, void *userdata);

/// Wraps curl_easy_setopt for options that take a `long` (timeouts, flags, verify levels).
static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// Wraps curl_easy_setopt for options that take a C string (URL, user agent, body, protocols,
/// CA file; NULL turns CURLOPT_CAPATH off).
/// libcurl copies strings passed this way, except CURLOPT_POSTFIELDS (see ccurl_easy_setopt_pointer).
static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Wraps curl_easy_setopt for options that take an opaque pointer (CURLOPT_WRITEDATA,
/// CURLOPT_POSTFIELDS, whose bytes must outlive the transfer).
static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Wraps curl_easy_setopt for CURLOPT_POSTFIELDSIZE_LARGE, which takes a curl_off_t.
static inline CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Wraps curl_easy_setopt for CURLOPT_HTTPHEADER, which takes a struct curl_slist *.
static inline CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list) {
    return curl_easy_setopt(handle, option, list);
}

/// Wraps curl_easy_setopt for CURLOPT_WRITEFUNCTION, which takes a function pointer.
static inline CURLcode ccurl_easy_setopt_write_function(CURL *handle, ccurl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

/// Wraps curl_easy_getinfo for infos that return a `long` (CURLINFO_RESPONSE_CODE).
static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Wraps curl_easy_getinfo for infos that return a `curl_off_t` (CURLINFO_SIZE_UPLOAD_T: how
/// much of the body was handed to the connection).
static inline CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Wraps curl_easy_getinfo for infos that return a `double` (CURLINFO_TOTAL_TIME).
static inline CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
