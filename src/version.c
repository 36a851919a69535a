#include "ixy/ixy.h"

#define IXY_STR2(x) #x
#define IXY_STR(x) IXY_STR2(x)

const char *ixy_version(void)
{
	return IXY_STR(IXY_VERSION_MAJOR) "." IXY_STR(IXY_VERSION_MINOR) "." IXY_STR(IXY_VERSION_PATCH);
}
