import { contentTypeOf, extensionFor, OCTET_STREAM } from './content-type';

describe('contentTypeOf', () => {
  it.each([
    ['Жалоба.PDF', 'application/pdf'],
    ['photo.jpeg', 'image/jpeg'],
    ['scan.TIF', 'image/tiff'],
    ['voice.oga', 'audio/ogg'],
    ['Письмо.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['Письмо.docx.sig', 'application/pkcs7-signature'],
    ['passport.xml', 'application/xml'],
    ['clip.MOV', 'video/quicktime'],
  ])('%s is %s', (name, type) => expect(contentTypeOf(name)).toBe(type));

  it.each([['README'], ['archive.'], ['file.exe'], ['dir.pdf/file'], ['x.constructor'], ['x.__proto__']])(
    '%s is unknown: octet-stream',
    (name) => expect(contentTypeOf(name)).toBe(OCTET_STREAM),
  );
});

describe('extensionFor', () => {
  it('gives the usual extension, ignoring parameters and case', () => {
    expect(extensionFor('image/jpeg')).toBe('.jpg');
    expect(extensionFor('Application/PDF; name=x')).toBe('.pdf');
    expect(extensionFor('audio/ogg')).toBe('.ogg');
    expect(extensionFor('application/x-unknown')).toBe('');
    expect(extensionFor(undefined)).toBe('');
  });
});
