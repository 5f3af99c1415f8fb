{
  lib,
  buildPythonPackage,
  fetchPypi,
  pythonOlder,
  setuptools,
  setuptools-scm,
  httpx,
  pydantic,
  pytestCheckHook,
  respx,
}:

buildPythonPackage rec {
  pname = "weatherkit-client";
  version = "0.9.2";
  pyproject = true;

  disabled = pythonOlder "3.9";

  src = fetchPypi {
    pname = "weatherkit_client";
    inherit version;
    hash = "sha256-Jx8w3YcQ2u1V0pKf5bRt9nL4sA7eZ6hG1iM0oT2yW3c=";
  };

  build-system = [
    setuptools
    setuptools-scm
  ];

  dependencies = [
    httpx
    pydantic
  ];

  nativeCheckInputs = [
    pytestCheckHook
    respx
  ];

  disabledTests = [
    # requires network access
    "test_live_forecast"
  ];

  pythonImportsCheck = [ "weatherkit_client" ];

  meta = {
    description = "Async client for a weather forecast API";
    homepage = "https://pypi.org/project/weatherkit-client/";
    license = lib.licenses.asl20;
    maintainers = [ ];
  };
}
