/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one way internals reach the unit tests (docs/design.md, "Tests").
 *
 * An internal function is written NBK_STATIC in its .c file: static in the
 * programs and libraries, extern in test builds, which the Makefile compiles
 * with -DNBK_TESTING into $(BUILD)/tobj/ (libconda-test.a, the bootstrap
 * test objects) for the unit tests and the fuzz targets to link.  Its
 * prototype, also NBK_STATIC, sits in a header that only that .c file and
 * its tests include (bootstrap/gpu.h, libconda/repodata_internal.h): in a
 * header any other file includes, a static prototype without a definition
 * is a warning.  No #ifdef NBK_TESTING block adds code, no test declares a
 * prototype of its own, no test includes a .c file.
 */
#ifndef NBKIT_TESTING_H
#define NBKIT_TESTING_H

#ifdef NBK_TESTING
#define NBK_STATIC
#else
#define NBK_STATIC static
#endif

#endif
