import { Anchor, Button, Card, FileButton, Group, Image, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { call, errorText, send } from '../../api/client';
import { type AppealCard } from '../../api/types';
import { ClipIcon } from '../../components/icons';
import { save } from '../../lib/download';
import { fileRejectionLabel } from '../../lib/labels';

/** The appeal's attachments: images previewed, every stored file downloadable, rejected ones explained. */
export function Attachments({
  appealId,
  attachments,
}: {
  appealId: string;
  attachments: AppealCard['attachments'];
}) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs">
      {attachments.map((f) => (
        <AttachmentTile key={f.id} appealId={appealId} file={f} />
      ))}
    </SimpleGrid>
  );
}

function AttachmentTile({ appealId, file }: { appealId: string; file: AppealCard['attachments'][number] }) {
  const [url, setUrl] = useState<string | null>(null);
  const image = file.status === 'stored' && file.contentType.startsWith('image/');
  useEffect(() => {
    if (!image) return;
    let objectUrl: string | null = null;
    send('attachment', { params: { id: appealId, attachmentId: file.id } })
      .then((r) => r.blob())
      .then((b) => {
        objectUrl = URL.createObjectURL(b);
        setUrl(objectUrl);
      })
      .catch(() => setUrl(null));
    return () => {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [appealId, file.id, image]);

  async function download() {
    const res = await send('attachment', { params: { id: appealId, attachmentId: file.id } });
    save(await res.blob(), file.fileName);
  }

  return (
    <Card withBorder padding={6} radius="sm">
      {image && url ? (
        <Image src={url} alt={`Вложение: ${file.fileName}`} h={110} fit="cover" radius="sm" />
      ) : (
        <Group h={110} justify="center" bg="gray.0" style={{ borderRadius: 4 }}>
          <ClipIcon />
        </Group>
      )}
      <Text size="xs" mt={4} lineClamp={1} title={file.fileName}>
        {file.fileName}
      </Text>
      {file.status === 'stored' ? (
        <Anchor size="xs" component="button" type="button" onClick={download}>
          Скачать ({Math.max(1, Math.round(file.size / 1024))} КБ)
        </Anchor>
      ) : (
        <Text size="xs" c="red.9">
          Не принято: {fileRejectionLabel(file.rejectionReason)}
        </Text>
      )}
    </Card>
  );
}

/** The types the api takes for an appeal's or an answer's file (what a citizen can open): the picker offers only these. */
export const APPEAL_FILE_TYPES = '.pdf,.doc,.docx,.odt,.rtf,.txt,.jpg,.jpeg,.png';

/**
 * A picker that sends each chosen file in its own request, in order (the api counts each against its limit,
 * so the first ones still land when a later one is refused), names the refused ones beneath it and then has
 * the caller read again. The card's attachments and a draft answer's files both take files through it.
 */
export function AttachFiles({
  label,
  upload,
  refresh,
  compact = false,
}: {
  label: string;
  upload: (form: FormData) => Promise<unknown>;
  refresh: () => Promise<unknown>;
  /** Smaller, inside an answer, with the accepted types named beside it. */
  compact?: boolean;
}) {
  const [uploading, setUploading] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function attach(files: File[]) {
    if (!files.length) return;
    setUploading(true);
    const failed: string[] = [];
    for (const file of files) {
      const form = new FormData();
      form.append('file', file);
      try {
        await upload(form);
      } catch (error) {
        failed.push(`«${file.name}»: ${errorText(error)}`);
      }
    }
    setErrors(failed);
    setUploading(false);
    await refresh();
  }

  return (
    <Stack gap={4} mt={compact ? 0 : 'xs'}>
      <Group gap={compact ? 6 : 'xs'}>
        <FileButton multiple accept={APPEAL_FILE_TYPES} onChange={(files) => void attach(files)}>
          {(props) => (
            <Button
              {...props}
              size={compact ? 'xs' : 'compact-sm'}
              variant="default"
              leftSection={compact ? undefined : <ClipIcon />}
              loading={uploading}
            >
              {label}
            </Button>
          )}
        </FileButton>
        {compact && (
          <Text size="xs" c="dimmed">
            PDF, DOC, DOCX, ODT, RTF, TXT, JPG, PNG
          </Text>
        )}
      </Group>
      {errors.map((e) => (
        <Text key={e} size="xs" c="red.9" role="alert">
          {e}
        </Text>
      ))}
    </Stack>
  );
}

/**
 * A file added to the appeal on its card (a scanned letter that came later, a document from a reception): one
 * request per file, a refused one named beside the button, the card read again.
 */
export function AttachToAppeal({ appealId }: { appealId: string }) {
  const queryClient = useQueryClient();
  return (
    <AttachFiles
      label="Приложить файл к обращению"
      upload={(form) => call('attachToAppeal', { params: { id: appealId }, form })}
      refresh={() => queryClient.invalidateQueries({ queryKey: ['appeal', appealId] })}
    />
  );
}
