#include <libxml/xmlversion.h>
// libxml2's headers pull in the system ICU when it is enabled, which clashes with the ICU that
// Foundation ships; nothing here needs ICU.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/parserInternals.h>

/// Frees memory libxml2 allocated (xmlFree is a global function pointer, awkward from Swift).
static inline void site_xml_free(void *pointer) { xmlFree(pointer); }
