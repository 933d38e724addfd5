# `cmake --install` and the Debian package (CPack DEB, scripts/package).
#
# Installs the geosweep program, its man page (help2man, from --help), the README and docs/
# as its documentation and configs/ as examples, where Debian puts them. The package's
# dependencies are Debian's library packages, worked out by dpkg-shlibdeps from what the
# program links. The one library no Debian package holds here, the CUDA runtime of the
# toolkit the program was built with (redistributable under the CUDA EULA), goes into the
# package's private /usr/lib/geosweep/, found through the program's RUNPATH; the CUDA driver
# (libcuda.so.1) is the machine's own, loaded by the runtime when there is one. Without a
# driver the program runs on the CPU, as any build does.
include(GNUInstallDirs)

set(GEOSWEEP_PRIVATE_LIBDIR "${CMAKE_INSTALL_LIBDIR}/geosweep")
install(TARGETS geosweep RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
if(GEOSWEEP_HAVE_CUDA)
  set_target_properties(geosweep PROPERTIES INSTALL_RPATH "\$ORIGIN/../${GEOSWEEP_PRIVATE_LIBDIR}")
  # CUDA::cudart is libcudart.so, a link to libcudart.so.<major>[.x.y]: the soname is installed.
  get_target_property(_cudart CUDA::cudart IMPORTED_LOCATION)
  file(REAL_PATH "${_cudart}" _cudart_file)
  install(FILES "${_cudart_file}" DESTINATION "${GEOSWEEP_PRIVATE_LIBDIR}"
          RENAME "libcudart.so.${CUDAToolkit_VERSION_MAJOR}")
endif()

set(_doc "${CMAKE_INSTALL_DATADIR}/doc/geosweep")
install(FILES README.md DESTINATION "${_doc}")
install(DIRECTORY docs/ DESTINATION "${_doc}/docs" FILES_MATCHING PATTERN "*.md")
install(DIRECTORY configs/ DESTINATION "${_doc}/examples" FILES_MATCHING PATTERN "*.yaml")

find_program(GEOSWEEP_HELP2MAN help2man)
if(GEOSWEEP_HELP2MAN)
  set(_man "${CMAKE_CURRENT_BINARY_DIR}/geosweep.1")
  add_custom_command(
    OUTPUT "${_man}.gz"
    COMMAND "${GEOSWEEP_HELP2MAN}" --no-info --no-discard-stderr
            "--version-string=${PROJECT_VERSION}"
            "--name=land-cover change detection in areas of interest, on the CPU or a CUDA GPU"
            "--include=${PROJECT_SOURCE_DIR}/docs/geosweep.h2m" --output=${_man}
            $<TARGET_FILE:geosweep>
    COMMAND gzip -9 -n -f "${_man}"
    DEPENDS geosweep "${PROJECT_SOURCE_DIR}/docs/geosweep.h2m"
    COMMENT "Man page geosweep.1 from geosweep --help")
  add_custom_target(geosweep_man ALL DEPENDS "${_man}.gz")
  install(FILES "${_man}.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
endif()
add_feature_info(man_page GEOSWEEP_HELP2MAN "geosweep.1 from --help (help2man)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME geosweep)
set(CPACK_PACKAGE_VENDOR "geosweep")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "GPU-accelerated land-cover change detection (forest loss, burning, mining)")
set(CPACK_PACKAGE_DESCRIPTION
    "geosweep turns satellite scenes (Sentinel-2, Landsat, any GDAL raster) into evidence of\n"
    "land-cover change inside areas of interest: alert lists, area tables, polygons for QGIS\n"
    "and Google Earth, Cloud-Optimized GeoTIFFs, a STAC catalogue and PDF reports, on the CPU\n"
    "(OpenMP) or a CUDA GPU.")
set(CPACK_PACKAGE_CONTACT "geosweep maintainers <geosweep@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # geosweep_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${CMAKE_INSTALL_PREFIX}/${GEOSWEEP_PRIVATE_LIBDIR}")
# The data files GDAL and PROJ read at run time come with their library packages; the
# reports' font is a package of its own.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libjs-leaflet")  # the reports' web map
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gdal-bin, qgis")
set(CPACK_STRIP_FILES ON)
include(CPack)
