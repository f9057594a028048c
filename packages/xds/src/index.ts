export const XDS_OK = 1;
