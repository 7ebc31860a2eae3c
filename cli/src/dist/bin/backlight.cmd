@echo off
rem Launches the backlight command from this distribution (bin\, lib\, plugins\).
rem
rem The JVM gets --add-modules jdk.incubator.vector, so the CPU backend runs its Vector API kernels,
rem and --enable-native-access=ALL-UNNAMED, so the JNI libraries load without warnings on JDK 22+.
rem
rem Environment:
rem   JAVA_HOME          the JDK or JRE to use (17 or later); otherwise java on the PATH
rem   JAVA_OPTS          more JVM options, after the ones above (for example -Xmx8g)
rem   BACKLIGHT_PLUGINS  extension jars or folders of jars, separated by ';' (added after plugins\)
rem
rem Extension jars in the plugins\ folder of this distribution are always on the class path.
rem No parenthesised blocks below: a ')' in a path (C:\Program Files (x86)\...) would end them.
setlocal DisableDelayedExpansion

for %%i in ("%~dp0..") do set "BACKLIGHT_HOME=%%~fi"

set "JAVA_CMD=java.exe"
if defined JAVA_HOME goto checkJavaHome
where /q java.exe
if errorlevel 1 goto noJava
goto haveJava
:checkJavaHome
set "JAVA_CMD=%JAVA_HOME%\bin\java.exe"
if not exist "%JAVA_CMD%" goto badJavaHome
:haveJava

set "CLASSPATH_ALL=%BACKLIGHT_HOME%\lib\*;%BACKLIGHT_HOME%\plugins\*"
set "PLUGIN_ERROR="
if defined BACKLIGHT_PLUGINS for %%p in ("%BACKLIGHT_PLUGINS:;=" "%") do call :addPlugin "%%~p"
if defined PLUGIN_ERROR exit /b 1

"%JAVA_CMD%" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED %JAVA_OPTS% -cp "%CLASSPATH_ALL%" @backlight.main.class@ %*
exit /b %ERRORLEVEL%

:noJava
echo backlight: no java on the PATH and JAVA_HOME is not set; install a JDK 17 or later, or set JAVA_HOME 1>&2
exit /b 1

:badJavaHome
echo backlight: JAVA_HOME is "%JAVA_HOME%", but "%JAVA_CMD%" does not exist; point JAVA_HOME at a JDK 17 or later, or unset it to use java on the PATH 1>&2
exit /b 1

:addPlugin
if "%~1"=="" exit /b 0
if exist "%~1\*" goto addPluginFolder
if exist "%~1" goto addPluginJar
echo backlight: BACKLIGHT_PLUGINS names "%~1", which is neither a jar nor a folder 1>&2
set "PLUGIN_ERROR=1"
exit /b 1
:addPluginFolder
set "CLASSPATH_ALL=%CLASSPATH_ALL%;%~1;%~1\*"
exit /b 0
:addPluginJar
set "CLASSPATH_ALL=%CLASSPATH_ALL%;%~1"
exit /b 0
